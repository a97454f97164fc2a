// The tenants scenario's fleet repository and vendor-b's chart, made with the project's own CLIs:
// `gitops:new-tenant` writes the tenants, `gitops:lint` checks the tree, `gitops:publish` pushes the
// chart with vendor-b's own registry credential.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { GitRepo, GitServer } from "./gitServer";
import type { Registry, RegistryUser } from "./registry";
import { sopsSecret } from "./sops";
import { vendorChart } from "./tenants";
import { REPO_ROOT, type Tools } from "./tools";
import { run, runStatus } from "./util";

/** Runs `cli/<script>.ts` of the project as a user would; its output goes to `<logDir>/<log>.out`. */
async function projectCli(
  script: string,
  args: string[],
  opts: { cwd: string; logDir: string; log: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  const r = await runStatus(
    process.execPath,
    [
      "--import",
      path.join(REPO_ROOT, "scripts", "ts-hooks.mjs"),
      path.join(REPO_ROOT, "cli", `${script}.ts`),
      ...args,
    ],
    { cwd: opts.cwd, env: opts.env ?? process.env, timeoutMs: 300_000 },
  );
  fs.appendFileSync(
    path.join(opts.logDir, `${opts.log}.out`),
    `$ ${script} ${args.join(" ")}\n${r.stdout}${r.stderr}`,
  );
  if (r.code !== 0)
    throw new Error(`${script} exited ${r.code}:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
}

/** vendor-b's chart at `version` committed, tagged and pushed with vendor-b's credential. */
export async function pushVendorChart(o: {
  chartRepo: GitRepo;
  version: string;
  registry: Registry;
  user: RegistryUser;
  caCert: string;
  logDir: string;
}): Promise<void> {
  await o.chartRepo.commit(vendorChart(o.version), `amf ${o.version}`);
  await o.chartRepo.tag(`v${o.version}`);
  await projectCli(
    "gitops-publish",
    [
      o.registry.url("vendor-b/source"),
      "--dir",
      ".",
      "--charts-to",
      o.registry.url("vendor-b/charts"),
      "--source",
      "https://github.com/vendor-b/amf",
      "--username",
      o.user.username,
    ],
    {
      cwd: o.chartRepo.workDir,
      logDir: o.logDir,
      log: `publish-amf-${o.version}`,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: o.caCert, PLATFORM_REGISTRY_PASSWORD: o.user.password },
    },
  );
}

/**
 * The fleet repository in `dir`: platform `platform` with an empty tree, vendor-a (Git, namespaces
 * vendor-a and vendor-a-nf) and vendor-b (Helm OCI chart amf) written by gitops:new-tenant, each
 * credential a SOPS-encrypted `auth.sops.yaml` listed in its tenant's kustomization.yaml (as
 * docs/tenants.md says), then gitops:lint. With `noIsolation`, vendor-a's account is also bound to
 * cluster-admin (only to show that the scenario fails then). Returns the age key pair.
 */
export async function writeTenantFleet(o: {
  dir: string;
  platform: string;
  tools: Tools;
  git: GitServer;
  registry: Registry;
  vendorAKey: { identity: string; identityPub: string };
  vendorB: RegistryUser;
  workDir: string;
  logDir: string;
  noIsolation: boolean;
}): Promise<{ recipient: string; secret: string }> {
  const { dir, git, registry, vendorB } = o;
  fs.mkdirSync(path.join(dir, "clusters", o.platform), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "clusters", o.platform, "kustomization.yaml"),
    `# The tree of platform ${o.platform}.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n`,
  );
  const newTenant = (args: string[]) =>
    projectCli("gitops-new-tenant", ["--repo", dir, "--cluster", o.platform, ...args], {
      cwd: REPO_ROOT,
      logDir: o.logDir,
      log: "gitops-new-tenant",
    });
  await newTenant([
    "--name",
    "vendor-a",
    "--namespaces",
    "vendor-a,vendor-a-nf",
    "--source",
    "git",
    "--url",
    git.url("vendor-a"),
    "--ref",
    "semver:>=1.0.0",
  ]);
  await newTenant([
    "--name",
    "vendor-b",
    "--source",
    "helm-oci",
    "--url",
    registry.url("vendor-b/charts"),
    "--chart",
    "amf",
    "--chart-version",
    ">=1.0.0",
  ]);
  const keyFile = path.join(o.workDir, "age.key");
  await run(o.tools.path("age-keygen"), ["-o", keyFile]);
  const key = fs.readFileSync(keyFile, "utf8");
  fs.rmSync(keyFile);
  const recipient = /# public key: (age1[0-9a-z]+)/.exec(key)?.[1];
  const secret = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(key)?.[0];
  if (!recipient || !secret) throw new Error("age-keygen wrote no key pair");
  const basic = Buffer.from(`${vendorB.username}:${vendorB.password}`).toString("base64");
  const auths = {
    "vendor-a": {
      type: "Opaque",
      stringData: {
        identity: o.vendorAKey.identity,
        "identity.pub": o.vendorAKey.identityPub,
        known_hosts: git.knownHosts,
      },
    },
    "vendor-b": {
      type: "kubernetes.io/dockerconfigjson",
      stringData: {
        ".dockerconfigjson": JSON.stringify({
          auths: { [registry.host]: { username: vendorB.username, password: vendorB.password, auth: basic } },
        }),
      },
    },
  };
  for (const [tenant, s] of Object.entries(auths)) {
    const metadata = {
      name: `${tenant}-auth`,
      namespace: tenant,
      labels: { "toolkit.fluxcd.io/tenant": tenant },
    };
    fs.writeFileSync(
      path.join(dir, "tenants", tenant, "auth.sops.yaml"),
      await sopsSecret(o.tools.path("sops"), recipient, o.workDir, {
        apiVersion: "v1",
        kind: "Secret",
        metadata,
        ...s,
      }),
    );
    fs.appendFileSync(path.join(dir, "tenants", tenant, "kustomization.yaml"), "  - auth.sops.yaml\n");
  }
  if (o.noIsolation)
    fs.appendFileSync(
      path.join(dir, "tenants", "vendor-a", "rbac.yaml"),
      `---\n${stringify({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "vendor-a-no-isolation" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", name: "vendor-a", namespace: "vendor-a" }],
      })}`,
    );
  await projectCli("gitops-lint", [dir], { cwd: REPO_ROOT, logDir: o.logDir, log: "gitops-lint" });
  return { recipient, secret };
}
