import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderStack } from "../../../automation/render";
import { writeRender } from "../../../automation/render/write";
import { ConfigError } from "../../../stacks/config";
import { render } from "../../../cli/render";
import { runCli, STACK_LINE } from "../cli/run";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "project");

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out.sort();
}

describe("offline render", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "render-"));
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  it("renders the shipped local stack: every object, resources.json, outputs, summary", async () => {
    const r = await renderStack(ROOT, "local");
    const out = path.join(tmp, "local");
    const summary = await writeRender(r, out);
    expect((await filesUnder(out)).map((f) => path.relative(out, f))).toEqual([
      ".platform-output.json",
      "k8s/_cluster/Namespace.flux-system.yaml",
      "k8s/flux-system/ConfigMap.cluster-vars.yaml",
      "k8s/flux-system/GitRepository.flux-system.yaml",
      "k8s/flux-system/Kustomization.flux-system.yaml",
      "outputs.json",
      "resources.json",
      "summary.txt",
    ]);
    expect(r.unfetched).toEqual([
      {
        resource: "kubernetes:yaml/v2:ConfigGroup::flux-install",
        url: "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml",
      },
    ]);
    expect(summary.split("\n").slice(-4)).toEqual([
      "root source: GitRepository https://github.com/acme-telco/platform-fleet.git (branch main), path ./clusters/local",
      "flux install: manifests, Flux 2.9.4; manifests from https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml (not fetched offline; transformed at deploy time)",
      "cluster-vars: CLUSTER_DOMAIN, CLUSTER_KIND, CLUSTER_NAME, FLUX_VERSION, PLATFORM_ENVIRONMENT, PLATFORM_NAME, PLATFORM_ORGANIZATION, PLATFORM_OWNER, PLATFORM_SITE, SLICE_DEFAULT_MCC",
      "secret outputs (redacted): kubeconfig",
    ]);
    const outputs = JSON.parse(await fs.readFile(path.join(out, "outputs.json"), "utf8"));
    expect(outputs.kubeconfig).toBe("[secret]");
    const resources = JSON.parse(await fs.readFile(path.join(out, "resources.json"), "utf8"));
    expect(resources.find((x: { name: string }) => x.name === "flux-sync")).toMatchObject({
      type: "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
      parent: "platform:flux:FluxBootstrap::flux",
      provider: "pulumi:providers:kubernetes::local-provider",
      dependsOn: [
        "kubernetes:yaml/v2:ConfigGroup::flux-install",
        "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source",
      ],
    });
  });

  it("redacts secure values everywhere and reads a local install file offline", async () => {
    const r = await renderStack(FIXTURE, "secure");
    const out = path.join(tmp, "secure");
    await writeRender(r, out);
    const all = (await Promise.all((await filesUnder(out)).map((f) => fs.readFile(f, "utf8")))).join("\n");
    const stackFile = await fs.readFile(path.join(FIXTURE, "Pulumi.secure.yaml"), "utf8");
    const ciphertexts = [...stackFile.matchAll(/secure: (\S+)/g)].map((m) => m[1]);
    expect(ciphertexts).toHaveLength(6);
    for (const leak of [...ciphertexts, "BEGIN OPENSSH", "AGE-SECRET-KEY"]) expect(all).not.toContain(leak);
    const git = await fs.readFile(path.join(out, "k8s/flux-system/Secret.flux-system.yaml"), "utf8");
    expect(git).toBe(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: pulumi\n  name: flux-system\n  namespace: flux-system\nstringData:\n  identity: "[redacted]"\n  known_hosts: "[redacted]"\n',
    );
    // flux.tenants: each tenant's credential Secret, redacted whole (the secure value and what is built of it).
    const tenant = (file: string) => fs.readFile(path.join(out, "k8s", file), "utf8");
    expect(await tenant("acme/Secret.acme-auth.yaml")).toBe(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: pulumi\n    toolkit.fluxcd.io/tenant: acme\n  name: acme-auth\n  namespace: acme\nstringData:\n  identity: "[redacted]"\n  known_hosts: "[redacted]"\ntype: Opaque\n',
    );
    expect(await tenant("globex-nf/Secret.globex-auth.yaml")).toBe(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: pulumi\n    toolkit.fluxcd.io/tenant: globex\n  name: globex-auth\n  namespace: globex-nf\nstringData:\n  .dockerconfigjson: "[redacted]"\ntype: kubernetes.io/dockerconfigjson\n',
    );
    expect(
      r.objects
        .filter((o) => o.resource === "kubernetes:yaml/v2:ConfigGroup::flux-install")
        .map((o) => `${o.object.kind}/${o.object.metadata.name}`),
    ).toEqual([
      "CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io",
      "CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io",
      "ClusterRole/crd-controller-flux-system",
      "NetworkPolicy/allow-egress",
      "ServiceAccount/source-controller",
      "Deployment/source-controller",
      "Deployment/kustomize-controller",
    ]);
    expect(r.config.site).toBe("lab"); // the project default from Pulumi.yaml
    expect(r.secretOutputs).toEqual(["kubeconfig"]);
  });

  it("refuses invalid config with every problem, before rendering anything", async () => {
    await expect(renderStack(FIXTURE, "plain")).rejects.toThrow(ConfigError);
    await expect(renderStack(FIXTURE, "plain")).rejects.toThrow(
      [
        'Invalid configuration for stack "plain" (Pulumi.plain.yaml), 3 problems:',
        '  - flux.source.url: "git@github.com:acme/fleet.git" is the scp-like form, which Flux does not accept: write ssh://git@github.com/acme/fleet.git',
        '  - flux.auth.type: SSH authentication needs an ssh:// URL, but the source URL is "git@github.com:acme/fleet.git"',
        "  - flux.auth.privateKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.auth.privateKey' <value>` so it is encrypted in Pulumi.plain.yaml",
      ].join("\n"),
    );
  });

  it("names a missing stack file", async () => {
    await expect(renderStack(FIXTURE, "nope")).rejects.toThrow(
      `Pulumi.nope.yaml not found in ${FIXTURE}: create it, or pick one of the stacks there`,
    );
  });
});

describe("npm run render (the CLI)", () => {
  it("exits 1 with the config error, no stack trace, and writes nothing", async () => {
    const out = path.join(os.tmpdir(), `render-cli-${process.pid}`);
    const r = await runCli(render, ["plain", "--project", FIXTURE, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Invalid configuration for stack "plain" \(Pulumi.plain.yaml\), 3 problems:\n/);
    expect(r.err).not.toMatch(STACK_LINE);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("exits 2 on wrong arguments, with the usage", async () => {
    const r = await runCli(render, []);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").slice(0, 3)).toEqual([
      "missing <stack>",
      "",
      "usage: npm run render -- <stack> [options]",
    ]);
  });
});

describe("provider config from the stack file", () => {
  it("reads other namespaces as the engine sets them, secure values redacted", async () => {
    const { readProviderConfig } = await import("../../../automation/render/stackFile");
    expect(await readProviderConfig(FIXTURE, "secure")).toEqual({ "aws:region": "eu-west-1" });
  });
});
