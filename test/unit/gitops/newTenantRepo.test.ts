/** gitops:new-tenant against a copy of the shipped fleet repository: the files, exactly, and the lint. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { gitopsNewTenant } from "../../../cli/gitops-new-tenant";
import { runCli } from "../cli/run";
import { copyOfShipped, lintLines } from "./helpers";
import { VENDOR_A_ARGV, VENDOR_A_DRY_RUN } from "./newTenant.expected";

/** Every file of a folder (path relative to it → content). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), "utf8");
    }
  };
  walk("");
  return out;
}

/** The dry run's `--- <path>\n<content>` blocks, by path. */
function dryRunFiles(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of text.split(/^--- /m).filter(Boolean)) {
    const nl = block.indexOf("\n");
    out[block.slice(0, nl)] = block.slice(nl + 1).replace(/\n$/, "");
  }
  return out;
}

describe("gitops:new-tenant in the shipped repository", () => {
  let repo: string;
  beforeEach(() => {
    repo = copyOfShipped();
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("prints every file with --dry-run and writes nothing", async () => {
    const before = tree(repo);
    const r = await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo, "--dry-run"]);
    expect(r).toEqual({ code: 0, out: VENDOR_A_DRY_RUN.replace(/\n$/, ""), err: "" });
    expect(tree(repo)).toEqual(before);
  });

  it("writes exactly those files, and the tree passes gitops:lint", async () => {
    const before = tree(repo);
    const r = await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo]);
    expect(r.code).toBe(0);
    const files = dryRunFiles(VENDOR_A_DRY_RUN);
    expect(r.out).toBe(
      [
        ...Object.keys(files).map((f) => `wrote ${path.join(repo, f)}`),
        "next: add the vendor's credential as tenants/vendor-a/auth.sops.yaml (Secret vendor-a-auth, SOPS-encrypted) and list it in tenants/vendor-a/kustomization.yaml (docs/tenants.md)",
        "check it with: npm run gitops:lint",
      ].join("\n"),
    );
    expect(tree(repo)).toEqual({ ...before, ...files });
    // The platform's own kustomization.yaml only gained the line (its comments kept).
    expect(tree(repo)["clusters/local/kustomization.yaml"]).toBe(
      `${before["clusters/local/kustomization.yaml"]}  - tenants.yaml\n`,
    );
    expect(await lintLines(repo)).toEqual([]);
  });

  it("adds a second tenant to a platform that has tenants without touching what they share", async () => {
    expect((await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo])).code).toBe(0);
    const before = tree(repo);
    const r = await runCli(gitopsNewTenant, [
      "--repo",
      repo,
      "--name",
      "vendor-b",
      "--namespaces",
      "vendor-b,vendor-b-nf",
      "--cluster",
      "local,de-dev",
      "--source",
      "helm-oci",
      "--url",
      "oci://registry.vendor-b.example/charts",
      "--chart",
      "amf",
      "--chart-version",
      "2.1.0",
      "--credentials",
      "stack",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const after = tree(repo);
    const added = Object.keys(after)
      .filter((f) => before[f] !== after[f])
      .sort();
    expect(added).toEqual([
      "clusters/de-dev/kustomization.yaml",
      "clusters/de-dev/tenants.yaml",
      "clusters/de-dev/tenants/vendor-b.yaml",
      "clusters/local/tenants/vendor-b.yaml",
      "tenants/vendor-b/kustomization.yaml",
      "tenants/vendor-b/namespaces.yaml",
      "tenants/vendor-b/network-policy.yaml",
      "tenants/vendor-b/quota.yaml",
      "tenants/vendor-b/rbac.yaml",
      "tenants/vendor-b/source.yaml",
      "tenants/vendor-b/sync.yaml",
    ]);
    // de-dev's root is an OCI artifact: its Kustomizations name the kind its own do; no decryption with --credentials stack.
    expect(parse(after["clusters/de-dev/tenants/vendor-b.yaml"])).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "tenant-vendor-b", namespace: "flux-system" },
      spec: {
        interval: "10m",
        retryInterval: "1m",
        timeout: "2m",
        path: "./tenants/vendor-b",
        prune: true,
        sourceRef: { kind: "OCIRepository", name: "flux-system" },
        deletionPolicy: "WaitForTermination",
        serviceAccountName: "kustomize-controller",
      },
    });
    // The second namespace binds the reconciler's account (in the first) and its own, to admin, there only.
    const rbac = after["tenants/vendor-b/rbac.yaml"].split(/^---$/m).map((d) => parse(d) as unknown);
    expect(rbac[3]).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: {
        name: "vendor-b-reconciler",
        namespace: "vendor-b-nf",
        labels: { "toolkit.fluxcd.io/tenant": "vendor-b" },
      },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [
        { kind: "ServiceAccount", name: "vendor-b", namespace: "vendor-b" },
        { kind: "ServiceAccount", name: "vendor-b", namespace: "vendor-b-nf" },
      ],
    });
    expect(await lintLines(repo)).toEqual([]);
  });

  it("refuses to overwrite a tenant without --force, and overwrites with it", async () => {
    expect((await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo])).code).toBe(0);
    const before = tree(repo);
    const again = await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo, "--ref", "tag:v1.1.0"]);
    expect(again.code).toBe(2); // --ref given twice: a usage error
    const r = await runCli(gitopsNewTenant, [
      ...VENDOR_A_ARGV.slice(0, -2),
      "--ref",
      "tag:v1.1.0",
      "--repo",
      repo,
    ]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: [
        "tenants/vendor-a/namespaces.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/rbac.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/quota.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/network-policy.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/source.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/sync.yaml exists: pass --force to overwrite the tenant's files",
        "tenants/vendor-a/kustomization.yaml exists: pass --force to overwrite the tenant's files",
        "clusters/local/tenants/vendor-a.yaml exists: pass --force to overwrite the tenant's files",
      ].join("\n"),
    });
    expect(tree(repo)).toEqual(before);
    const forced = await runCli(gitopsNewTenant, [
      ...VENDOR_A_ARGV.slice(0, -2),
      "--ref",
      "tag:v1.1.0",
      "--repo",
      repo,
      "--force",
    ]);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(repo, "tenants/vendor-a/source.yaml"), "utf8")).toBe(
      dryRunFiles(VENDOR_A_DRY_RUN)["tenants/vendor-a/source.yaml"].replace(/v1\.0\.0/g, "v1.1.0"),
    );
  });

  it("refuses a namespace the repository already declares, and a platform it does not have", async () => {
    const before = tree(repo);
    const taken = await runCli(gitopsNewTenant, [
      ...VENDOR_A_ARGV,
      "--repo",
      repo,
      "--namespaces",
      "vendor-a,network-functions,kube-x",
    ]);
    expect(taken).toEqual({
      code: 1,
      out: "",
      err: [
        "cannot scaffold tenant vendor-a:",
        "  - --namespaces: network-functions is already declared by apps/network-functions/namespace.yaml: a tenant's namespaces are its own, choose another name",
        "  - --namespaces: kube-x is the cluster's or Flux's own namespace: a tenant gets namespaces of its own, e.g. vendor-a-nf",
      ].join("\n"),
    });
    const nowhere = await runCli(gitopsNewTenant, [
      ...VENDOR_A_ARGV.map((a) => (a === "local" ? "local,de-test" : a)),
      "--repo",
      repo,
    ]);
    expect(nowhere).toEqual({
      code: 1,
      out: "",
      err: "--cluster de-test: no clusters/de-test/kustomization.yaml in the repository: the platform's tree must exist first (platforms: de-dev, de-prod, local)",
    });
    expect(tree(repo)).toEqual(before);
  });

  it("never writes through a symbolic link", async () => {
    fs.mkdirSync(path.join(repo, "..", path.basename(repo) + "-outside"), { recursive: true });
    const outside = path.join(repo, "..", path.basename(repo) + "-outside");
    fs.symlinkSync(outside, path.join(repo, "tenants"));
    try {
      const r = await runCli(gitopsNewTenant, [...VENDOR_A_ARGV, "--repo", repo]);
      expect(r.code).toBe(1);
      expect(r.err.split("\n")[0]).toBe(
        "tenants is a symbolic link: gitops:new-tenant writes only real folders and files of the repository (a link could send the write outside it); replace the link with the folder itself, or remove it",
      );
      expect(fs.readdirSync(outside)).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
