import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  isSecretWrapped,
  redactSecrets,
  runOnMocks,
  unwrapSecrets,
  type RecordedResource,
} from "../../../../../automation/render/engine";
import { invokes, placeholders } from "../../../../../automation/render/placeholders";
import {
  BareMetalCluster,
  configHash,
  KeyLoader,
  readKeyFile,
  renderNodeConfig,
  resolveBareMetalClusterArgs,
  scripts,
  sshConnection,
  type BareMetalClusterArgs,
} from "../../../../../components/cluster/baremetal";
import { BASTION_KEY, clusterArgs, KEY } from "./fixtures";

const TOKEN = "render-placeholder-password-de-prod-token";

/**
 * A connection as the engine receives it: @pulumi/command fills dialErrorLimit and perDialTimeout
 * (and the same in `proxy`) with its defaults.
 */
const sent = (host: string, extra: Record<string, unknown> = {}) => ({
  host,
  port: 22,
  user: "root",
  privateKey: KEY,
  dialErrorLimit: 10,
  perDialTimeout: 15,
  ...extra,
});
const sentProxy = (host: string, user: string, privateKey: string, port = 22) => ({
  host,
  port,
  user,
  privateKey,
  dialErrorLimit: 10,
  perDialTimeout: 15,
});

interface Run {
  resources: RecordedResource[];
  get(name: string): RecordedResource;
  inputs(name: string): Record<string, unknown>;
  /** Resource options the mock engine does not record, by resource name; deletedWithCluster: deleted with the join token, which goes only with the cluster. */
  options: Map<string, { deletedWithCluster: boolean; additionalSecretOutputs?: string[] }>;
  kubeconfig: string;
  kubeconfigSecret: boolean;
  ready: string[];
  nodeNames: string[];
}

async function run(args: BareMetalClusterArgs): Promise<Run> {
  const options: Run["options"] = new Map();
  const names = new Map<pulumi.Resource, string>();
  const seen: {
    resource: pulumi.Resource;
    name: string;
    deletedWith?: pulumi.Resource;
    additionalSecretOutputs?: string[];
  }[] = [];
  let cluster: BareMetalCluster | undefined;
  const result = await runOnMocks(
    async () => {
      pulumi.runtime.registerStackTransformation((a) => {
        names.set(a.resource, a.name);
        const o = a.opts as pulumi.CustomResourceOptions;
        seen.push({
          resource: a.resource,
          name: a.name,
          deletedWith: o.deletedWith,
          additionalSecretOutputs: o.additionalSecretOutputs,
        });
        return undefined;
      });
      cluster = new BareMetalCluster("de-prod", args);
      const kubeconfig = await new Promise<string>((r) => cluster!.kubeconfig.apply(r));
      const nodeNames = await new Promise<string[]>((r) => cluster!.nodeNames.apply(r));
      return { kubeconfig, kubeconfigSecret: await pulumi.isSecret(cluster.kubeconfig), nodeNames };
    },
    { project: "platform", stack: "test", placeholders, invokes },
  );
  for (const s of seen)
    options.set(s.name, {
      deletedWithCluster: s.deletedWith !== undefined && names.get(s.deletedWith) === "de-prod-token",
      additionalSecretOutputs: s.additionalSecretOutputs,
    });
  const get = (name: string) => {
    const r = result.resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}; have ${result.resources.map((x) => x.name).join(", ")}`);
    return r;
  };
  const out = result.outputs as { kubeconfig: string; kubeconfigSecret: boolean; nodeNames: string[] };
  return {
    resources: result.resources,
    get,
    inputs: (name) => unwrapSecrets(get(name).inputs) as Record<string, unknown>,
    options,
    ...out,
    ready: cluster!.readyResources.map((r) => names.get(r) ?? "?"),
  };
}

let baseRun: Promise<Run> | undefined;
/** The fixture's run, shared by the tests that only read it. */
const base = () => (baseRun ??= run(clusterArgs()));

const cmd = (name: string) => `command:remote:Command::de-prod-${name}`;

describe("BareMetalCluster on the mock engine", () => {
  let r: Run;
  beforeAll(async () => {
    r = await base();
  });

  it("registers the token, five steps per node (four for the first server), the kubeconfig read and the provider", () => {
    const steps = (n: string, first = false) =>
      [`${n}-uninstall`, `${n}-config`, `${n}-install`, `${n}-ready`, ...(first ? [] : [`${n}-drain`])].map(
        (s) => `de-prod-${s}`,
      );
    expect(r.resources.map((x) => x.name)).toEqual([
      "de-prod",
      "de-prod-token",
      ...steps("s1", true),
      ...steps("s2"),
      ...steps("s3"),
      ...steps("a1"),
      ...steps("a2"),
      "de-prod-kubeconfig-key",
      "de-prod-kubeconfig",
      "de-prod-provider",
    ]);
    expect(r.get("de-prod").type).toBe("platform:cluster:BareMetalCluster");
    for (const x of r.resources.slice(1))
      expect([x.name, x.parent]).toEqual([x.name, "platform:cluster:BareMetalCluster::de-prod"]);
    expect(r.inputs("de-prod-token")).toEqual({ length: 48, special: false });
    expect(r.inputs("de-prod-kubeconfig-key")).toEqual({ length: 48, special: false });
  });

  it("orders init → server joins one at a time → agents one at a time, each after the previous node is Ready", () => {
    expect(r.get("de-prod-s1-install").dependsOn).toEqual([cmd("s1-config")]);
    expect(r.get("de-prod-s2-install").dependsOn).toEqual([cmd("s2-config"), cmd("s1-ready")]);
    expect(r.get("de-prod-s3-install").dependsOn).toEqual([cmd("s3-config"), cmd("s2-ready")]);
    expect(r.get("de-prod-a1-install").dependsOn).toEqual([cmd("a1-config"), cmd("s3-ready")]);
    expect(r.get("de-prod-a2-install").dependsOn).toEqual([cmd("a2-config"), cmd("a1-ready")]);
    for (const n of ["s1", "s2", "s3", "a1", "a2"]) {
      expect(r.get(`de-prod-${n}-config`).dependsOn).toEqual([cmd(`${n}-uninstall`)]);
      expect(r.get(`de-prod-${n}-ready`).dependsOn).toEqual([cmd(`${n}-install`)]);
    }
    expect(r.get("de-prod-a1-drain").dependsOn).toEqual([cmd("a1-ready")]);
    expect(r.get("de-prod-kubeconfig").dependsOn).toEqual([cmd("s1-ready")]);
    expect(r.ready).toEqual(["de-prod-a2-ready"]);
    expect(r.nodeNames).toEqual(["s1", "s2", "s3", "a1", "a2"]);
  });

  it("runs each step on the right machine with the rendered scripts", () => {
    const c = resolveBareMetalClusterArgs(clusterArgs());
    const a1 = c.nodes[3];
    const onA1 = sent("10.0.1.21");
    const onS1 = sent("10.0.0.11");
    const config = renderNodeConfig(c, a1);
    const triggers = ["v1.31.4+rke2r1", "online", "https://get.rke2.io", configHash(config)];
    expect(r.inputs("de-prod-a1-config")).toEqual({
      connection: onA1,
      create: scripts.configScript(c, a1, config),
      stdin: TOKEN,
    });
    expect(r.inputs("de-prod-a1-install")).toEqual({
      connection: onA1,
      create: scripts.installScript(c, a1),
      triggers,
    });
    expect(r.inputs("de-prod-a1-ready")).toEqual({
      connection: onS1,
      create: scripts.readyScript(c, a1),
      triggers,
    });
    expect(r.inputs("de-prod-a1-uninstall")).toEqual({
      connection: onA1,
      create: scripts.anchorCreateScript(
        "/var/lib/platform/anchors/uninstall-a1",
        "a1 is managed by the platform program",
      ),
      update: scripts.markerScript("nothing to do"),
      delete: scripts.anchorDeleteScript(
        "/var/lib/platform/anchors/uninstall-a1",
        scripts.uninstallScript(c, a1),
      ),
    });
    expect(r.inputs("de-prod-a1-drain")).toEqual({
      connection: onS1,
      create: scripts.anchorCreateScript(
        "/var/lib/platform/anchors/drain-a1",
        "a1 drains through the first server when removed",
      ),
      update: scripts.markerScript("nothing to do"),
      delete: scripts.anchorDeleteScript("/var/lib/platform/anchors/drain-a1", scripts.drainScript(c, a1)),
    });
    expect(r.inputs("de-prod-kubeconfig")).toEqual({
      connection: onS1,
      create: scripts.kubeconfigScript(c),
      stdin: "render-placeholder-password-de-prod-kubeconfig-key",
      triggers: ["v1.31.4+rke2r1"],
    });
  });

  it("keeps the token and the SSH key secret and out of every command text", () => {
    expect(isSecretWrapped(r.get("de-prod-a1-config").inputs.stdin)).toBe(true);
    expect(isSecretWrapped(r.get("de-prod-kubeconfig").inputs.stdin)).toBe(true);
    for (const x of r.resources.filter((x) => x.type === "command:remote:Command")) {
      expect([x.name, isSecretWrapped(x.inputs.connection)]).toEqual([x.name, true]);
      const plain = JSON.stringify({ ...x.inputs, connection: undefined, stdin: undefined });
      expect(plain).not.toContain(TOKEN);
      expect(plain).not.toContain("TEST-SSH-KEY-MATERIAL");
    }
    const redacted = JSON.stringify(r.resources.map((x) => redactSecrets(x.inputs)));
    expect(redacted).not.toContain(TOKEN);
    expect(redacted).not.toContain("TEST-SSH-KEY-MATERIAL");
    // The SDK adds `connection` to every remote resource's secret outputs.
    expect(r.options.get("de-prod-kubeconfig")?.additionalSecretOutputs).toEqual(["stdout", "connection"]);
  });

  it("reads the kubeconfig from the first server (encrypted in transit), points it at the API endpoint and keeps it secret", () => {
    expect(r.kubeconfigSecret).toBe(true);
    expect(r.kubeconfig).toContain("server: https://api.example.net:6443");
    expect(r.kubeconfig).not.toContain("127.0.0.1");
    expect(r.kubeconfig).toContain("current-context: de-prod");
    const provider = r.get("de-prod-provider");
    expect(provider.type).toBe("pulumi:providers:kubernetes");
    expect(isSecretWrapped(provider.inputs.kubeconfig)).toBe(true);
    expect(provider.inputs.enableServerSideApply).toBe("true");
    // ConfigMaps and Secrets updated in place, never deleted and re-created (components/cluster/providerSettings.ts)
    expect(provider.inputs.enableConfigMapMutable).toBe("true");
    expect(provider.inputs.enableSecretMutable).toBe("true");
  });

  it("removal: a node drains (on the first server) before it uninstalls; deleting the whole cluster skips both when retained", () => {
    expect(r.options.get("de-prod-a1-drain")?.deletedWithCluster).toBe(true);
    expect(r.options.get("de-prod-a1-uninstall")?.deletedWithCluster).toBe(true);
    expect(r.options.get("de-prod-a1-install")?.deletedWithCluster).toBe(false);
  });

  it("deleting the whole cluster uninstalls every node when retainOnDelete is false (drains are still skipped)", async () => {
    const loose = await run(clusterArgs({ retainOnDelete: false }));
    expect(loose.options.get("de-prod-a1-uninstall")?.deletedWithCluster).toBe(false);
    expect(loose.options.get("de-prod-s1-uninstall")?.deletedWithCluster).toBe(false);
    expect(loose.options.get("de-prod-a1-drain")?.deletedWithCluster).toBe(true);
  });
});

describe("BareMetalCluster triggers: what re-runs on which change", () => {
  const triggersOf = (x: Run) =>
    Object.fromEntries(
      x.resources.filter((r) => r.inputs.triggers).map((r) => [r.name, JSON.stringify(r.inputs.triggers)]),
    );
  const changed = (a: Run, b: Run) => {
    const ta = triggersOf(a);
    const tb = triggersOf(b);
    return Object.keys(ta).filter((k) => ta[k] !== tb[k]);
  };

  it("a version change re-runs every install and Ready wait (in the join order) and the kubeconfig read", async () => {
    const [a, b] = [await base(), await run(clusterArgs({ version: "v1.32.1+rke2r1" }))];
    expect(changed(a, b)).toEqual([
      ...["s1", "s2", "s3", "a1", "a2"].flatMap((n) => [`de-prod-${n}-install`, `de-prod-${n}-ready`]),
      "de-prod-kubeconfig",
    ]);
  });

  it("a node's config change re-renders and re-runs only that node", async () => {
    const args = clusterArgs();
    const agents = args.agents!.map((n) => (n.name === "a2" ? { ...n, labels: { pool: "general" } } : n));
    const [a, b] = [await base(), await run({ ...args, agents })];
    expect(changed(a, b)).toEqual(["de-prod-a2-install", "de-prod-a2-ready"]);
    const creates = (x: Run) => x.resources.map((r) => [r.name, r.inputs.create]);
    const diff = creates(a).filter(
      ([n, c]) => JSON.stringify(creates(b).find(([m]) => m === n)?.[1]) !== JSON.stringify(c),
    );
    expect(diff.map(([n]) => n)).toEqual(["de-prod-a2-config"]);
  });

  it("a cluster-wide setting (a TLS SAN) re-runs the servers only", async () => {
    const [a, b] = [
      await base(),
      await run(clusterArgs({ tlsSans: ["api.example.net", "10.0.0.10", "10.0.0.9"] })),
    ];
    expect(changed(a, b)).toEqual(
      ["s1", "s2", "s3"].flatMap((n) => [`de-prod-${n}-install`, `de-prod-${n}-ready`]),
    );
  });
});

describe("BareMetalCluster variants", () => {
  it("air-gapped from a local folder: stages the folder, copies each artifact, installs after the copies", async () => {
    const r = await run(
      clusterArgs({
        servers: [{ host: "10.0.0.11", name: "s1" }],
        agents: [],
        install: { mode: "airgap", artifactsDir: "artifacts/rke2" },
      }),
    );
    const files = [
      "install.sh",
      "rke2.linux-amd64.tar.gz",
      "sha256sum-amd64.txt",
      "rke2-images.linux-amd64.tar.zst",
    ];
    const c = resolveBareMetalClusterArgs(
      clusterArgs({
        servers: [{ host: "10.0.0.11", name: "s1" }],
        agents: [],
        install: { mode: "airgap", artifactsDir: "artifacts/rke2" },
      }),
    );
    expect(
      r.resources.map((x) => `${x.type}::${x.name}`).filter((x) => /-s1-(stage|artifact|install)/.test(x)),
    ).toEqual([
      cmd("s1-stage"),
      ...files.map((f) => `command:remote:CopyToRemote::de-prod-s1-artifact-${f}`),
      cmd("s1-install"),
    ]);
    expect(r.get("de-prod-s1-stage").dependsOn).toEqual([cmd("s1-uninstall")]);
    expect(r.inputs("de-prod-s1-stage")).toEqual({
      connection: sent("10.0.0.11"),
      create: scripts.stageScript(c),
      triggers: ["v1.31.4+rke2r1"],
    });
    expect(scripts.stageScript(c)).toContain(
      "install -d -m 0700 '/var/tmp/platform-artifacts/rke2-v1.31.4+rke2r1'",
    );
    for (const f of files) {
      const copy = r.get(`de-prod-s1-artifact-${f}`);
      expect(copy.type).toBe("command:remote:CopyToRemote");
      expect(copy.parent).toBe("platform:cluster:BareMetalCluster::de-prod");
      expect(copy.dependsOn).toEqual([cmd("s1-stage")]);
      expect(isSecretWrapped(copy.inputs.connection)).toBe(true);
      expect(r.inputs(`de-prod-s1-artifact-${f}`)).toEqual({
        connection: sent("10.0.0.11"),
        source: { fileAsset: path.join("artifacts/rke2", f) },
        remotePath: `/var/tmp/platform-artifacts/rke2-v1.31.4+rke2r1/${f}`,
        triggers: ["v1.31.4+rke2r1"],
      });
    }
    expect(r.get("de-prod-s1-install").dependsOn).toEqual([
      cmd("s1-config"),
      ...files.map((f) => `command:remote:CopyToRemote::de-prod-s1-artifact-${f}`),
    ]);
    expect(r.ready).toEqual(["de-prod-s1-ready"]);
    const redacted = JSON.stringify(r.resources.map((x) => redactSecrets(x.inputs)));
    expect(redacted).not.toContain("TEST-SSH-KEY-MATERIAL");
  });

  it("a non-root user: every root step goes through sudo -n, the staging folder does not", async () => {
    const r = await run(
      clusterArgs({
        ssh: { user: "ubuntu", privateKey: KEY },
        install: { mode: "airgap", artifactsDir: "a" },
      }),
    );
    expect(r.inputs("de-prod-s2-install").create).toMatch(/^set -euo pipefail\nexec sudo -n -- bash -c '/);
    expect(r.inputs("de-prod-s2-ready").create).toMatch(/^set -euo pipefail\nexec sudo -n -- bash -c '/);
    expect(r.inputs("de-prod-s2-stage").create).not.toContain("sudo");
  });

  it("reads a key file once and keeps it secret", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bm-key-"));
    try {
      writeFileSync(path.join(dir, "id"), KEY);
      const r = await run(clusterArgs({ ssh: { privateKeyPath: path.join(dir, "id") } }));
      expect(isSecretWrapped(r.get("de-prod-a1-install").inputs.connection)).toBe(true);
      expect((r.inputs("de-prod-a1-install").connection as { privateKey: string }).privateKey).toBe(KEY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("goes through the bastion (connection.proxy) on every step, a node's own bastion over the cluster's, the bastion key secret and in no command text", async () => {
    const r = await run(
      clusterArgs({
        ssh: {
          user: "ubuntu",
          privateKey: KEY,
          bastion: { host: "jump.example.net", port: 2222, user: "jump", privateKey: BASTION_KEY },
        },
        agents: [
          { host: "10.0.1.21", name: "a1" },
          { host: "10.0.1.22", name: "a2", ssh: { bastion: { host: "jump-b.example.net" } } },
        ],
        install: { mode: "airgap", artifactsDir: "artifacts/rke2" },
      }),
    );
    const viaJump = sentProxy("jump.example.net", "jump", BASTION_KEY, 2222);
    const onS1 = sent("10.0.0.11", { user: "ubuntu", proxy: viaJump });
    const onA1 = sent("10.0.1.21", { user: "ubuntu", proxy: viaJump });
    // a2's own bastion: port and user default to 22 and the node's user, the key to the node's.
    const onA2 = sent("10.0.1.22", { user: "ubuntu", proxy: sentProxy("jump-b.example.net", "ubuntu", KEY) });
    expect(r.inputs("de-prod-a1-install").connection).toEqual(onA1);
    expect(r.inputs("de-prod-a1-artifact-install.sh").connection).toEqual(onA1);
    expect(r.inputs("de-prod-a1-ready").connection).toEqual(onS1);
    expect(r.inputs("de-prod-a1-drain").connection).toEqual(onS1);
    expect(r.inputs("de-prod-kubeconfig").connection).toEqual(onS1);
    expect(r.inputs("de-prod-a2-uninstall").connection).toEqual(onA2);
    expect(r.inputs("de-prod-a2-artifact-install.sh").connection).toEqual(onA2);
    const remote = r.resources.filter((x) => x.type.startsWith("command:remote:"));
    // Per node: uninstall, config, stage, 4 copies, install, ready; a drain per node but the first; the kubeconfig read.
    expect(remote.length).toBe(5 * 9 + 4 + 1);
    for (const x of remote) {
      expect([x.name, isSecretWrapped(x.inputs.connection)]).toEqual([x.name, true]);
      expect([
        x.name,
        (unwrapSecrets(x.inputs.connection) as { proxy?: unknown }).proxy !== undefined,
      ]).toEqual([x.name, true]);
      const plain = JSON.stringify({ ...x.inputs, connection: undefined });
      expect(plain).not.toContain("TEST-BASTION-KEY-MATERIAL");
    }
    const redacted = JSON.stringify(r.resources.map((x) => redactSecrets(x.inputs)));
    expect(redacted).not.toContain("TEST-BASTION-KEY-MATERIAL");
    expect(redacted).not.toContain("jump.example.net"); // the whole connection is secret
  });

  it("builds the proxy of a connection from the resolved bastion, the bastion key defaulting to the node's", async () => {
    const c = resolveBareMetalClusterArgs(
      clusterArgs({
        ssh: { user: "ubuntu", privateKey: KEY, bastion: { host: "jump.example.net", port: 2222 } },
      }),
    );
    const conn = sshConnection("10.0.0.11", c.nodes[0].ssh, new KeyLoader(), "servers.0");
    expect({ ...conn, privateKey: "-", proxy: { ...conn.proxy, privateKey: "-" } }).toEqual({
      host: "10.0.0.11",
      port: 22,
      user: "ubuntu",
      privateKey: "-",
      proxy: { host: "jump.example.net", port: 2222, user: "ubuntu", privateKey: "-" },
    });
    expect(pulumi.Output.isInstance(conn.proxy?.privateKey)).toBe(true);
    expect(await pulumi.isSecret(conn.proxy!.privateKey)).toBe(true);
    expect(c.nodes[0].ssh.bastion?.privateKey).toBe(KEY);
  });

  it("fails clearly when a key file cannot be read", async () => {
    await expect(readKeyFile("/nonexistent/id", "cluster.servers.0.ssh")).rejects.toThrow(
      "cluster.servers.0.ssh: cannot read the SSH private key /nonexistent/id (ENOENT): fix the path, or set the key as a secret instead",
    );
  });

  it("rejects bad arguments in the constructor, before registering anything", () => {
    expect(
      () =>
        new BareMetalCluster("x", clusterArgs({ servers: [{ host: "10.0.0.11" }, { host: "10.0.0.12" }] })),
    ).toThrow(
      "invalid BareMetalCluster arguments (de-prod), 1 problem:\n  - servers: has 2 servers, an even number",
    );
  });
});
