import * as path from "node:path";
import { parsePlatformConfig } from "../../../stacks/config";
import { renderStack } from "../../../automation/render";
import { readStackConfig } from "../../../automation/render/stackFile";
import { SecretValue } from "../../../stacks/schema/common";
import { bareMetalClusterArgs, bareMetalConfigProblems } from "../../../stacks/args/baremetal";
import { bareMetalClusterSchema } from "../../../stacks/schema/baremetal";
import { baseValues, configError, deploy, parse } from "../../helpers/platform";
import { isSecretWrapped } from "../../../automation/render/engine";
import { BASTION_KEY, bareMetalValues, KEY } from "../components/cluster/baremetal/fixtures";

const header = (n: number) =>
  `Invalid configuration for stack "test" (Pulumi.test.yaml), ${n} problem${n === 1 ? "" : "s"}:\n`;

describe("platform config: cluster.kind baremetal", () => {
  it("parses a valid section, the key as a SecretValue that never prints", () => {
    const c = parse(bareMetalValues());
    if (c.cluster.kind !== "baremetal") throw new Error("kind");
    expect(c.cluster.ssh?.privateKey).toBeInstanceOf(SecretValue);
    expect(JSON.stringify(c)).not.toContain("TEST-SSH-KEY-MATERIAL");
  });

  it("reports schema problems with their config paths", () => {
    expect(
      configError(
        bareMetalValues({
          distribution: "rke3",
          servers: [{ host: "10.0.0.11", labels: { a: 1 }, taints: [{ key: "k", effect: "NoRun" }] }],
          clusterCidr: "10.42.0.0",
          kubeletArgs: ["--max-pods=1"],
          extra: true,
        }),
      ),
    ).toBe(
      header(6) +
        [
          "  - cluster.distribution: must be rke2 or k3s",
          "  - cluster.servers.0.labels.a: values must be strings (quote numbers and booleans)",
          "  - cluster.servers.0.taints.0.effect: must be NoSchedule, PreferNoSchedule or NoExecute",
          "  - cluster.clusterCidr: must be a CIDR such as 10.42.0.0/16",
          "  - cluster.kubeletArgs.0: must be key=value without the leading --, e.g. max-pods=200",
          "  - cluster.extra: unknown key: check its spelling against the configuration reference (docs/configuration.md), or remove it",
        ].join("\n"),
    );
  });

  it("requires version and servers", () => {
    const values = bareMetalValues();
    const cluster = values.cluster as Record<string, unknown>;
    delete cluster.version;
    delete cluster.servers;
    expect(configError(values)).toBe(
      header(2) +
        "  - cluster.version: is required: the exact release, e.g. v1.31.4+rke2r1 (rke2) or v1.31.4+k3s1 (k3s)\n" +
        "  - cluster.servers: is required: a list of servers (one, or an odd number ≥ 3)",
    );
  });

  it("reports the cross-field rules under cluster., all at once, before anything runs", () => {
    expect(
      configError(
        bareMetalValues({
          version: "1.31",
          apiEndpoint: "api.example.net",
          servers: [{ host: "10.0.0.11" }, { host: "10.0.0.12" }],
          agents: [{ host: "10.0.0.11", name: "a1" }],
        }),
      ),
    ).toBe(
      header(4) +
        [
          "  - cluster.servers: has 2 servers, an even number, which cannot keep etcd quorum through a failure: use 1, or an odd number ≥ 3 (3, 5, …); put extra machines in agents",
          '  - cluster.version: "1.31" is not an exact RKE2 release: write the full release tag, e.g. v1.31.4+rke2r1',
          "  - cluster.agents.0.host: 10.0.0.11 is also servers.0.host: each machine is listed once",
          "  - cluster.apiEndpoint: api.example.net is not in tlsSans, so the API server certificate would not be valid for it: add it to tlsSans",
        ].join("\n"),
    );
  });

  it("reports a missing key and a key stored in plain text", () => {
    expect(configError(bareMetalValues({ ssh: { user: "ubuntu" } }))).toBe(
      header(2) +
        "  - cluster.servers.0.ssh.privateKey: no SSH private key for 10.0.0.11: set ssh.privateKey for every node (`pulumi config set --secret --path 'cluster.ssh.privateKey' < ~/.ssh/id_ed25519`), ssh.privateKeyPath, or this node's own\n" +
        "  - cluster.agents.0.ssh.privateKey: no SSH private key for 10.0.1.21: set ssh.privateKey for every node (`pulumi config set --secret --path 'cluster.ssh.privateKey' < ~/.ssh/id_ed25519`), ssh.privateKeyPath, or this node's own",
    );
    expect(configError(bareMetalValues(), ["cluster"])).toBe(
      header(1) +
        "  - cluster.ssh.privateKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'cluster.ssh.privateKey' <value>` so it is encrypted in Pulumi.test.yaml",
    );
  });

  it("hands every key of the section to the component (a new schema key must be mapped)", () => {
    const schemaKeys = Object.keys(bareMetalClusterSchema.shape).filter((k) => k !== "kind" && k !== "name");
    const c = parse(bareMetalValues());
    if (c.cluster.kind !== "baremetal") throw new Error("kind");
    const argKeys = Object.keys(bareMetalClusterArgs("de-prod", c.cluster)).filter(
      (k) => k !== "clusterName",
    );
    expect(argKeys.sort()).toEqual(schemaKeys.sort());
  });

  it("ignores other cluster kinds", () => {
    const existing = parse(baseValues());
    expect(existing.cluster.kind).toBe("existing");
    expect(bareMetalConfigProblems(existing)).toEqual([]);
  });
});

describe("deployPlatform with a bare-metal cluster", () => {
  it("bootstraps Flux on the cluster's provider after the last node is Ready, handing no extra cluster-vars", async () => {
    const d = await deploy(parse(bareMetalValues()));
    expect(d.get("de-prod").type).toBe("platform:cluster:BareMetalCluster");
    const ns = d.get("flux-namespace");
    expect(ns.dependsOn).toEqual(["command:remote:Command::de-prod-a1-ready"]);
    expect(ns.provider).toBe("pulumi:providers:kubernetes::de-prod-provider");
    const vars = d.outputs.clusterVars as Record<string, string>;
    expect(vars.CLUSTER_KIND).toBe("baremetal");
    expect(vars.CLUSTER_NAME).toBe("de-prod");
    expect(JSON.stringify(d.outputs)).not.toContain("TEST-SSH-KEY-MATERIAL");
    expect(d.inputs("de-prod-s1-config").stdin).toBe("render-placeholder-password-de-prod-token");
    expect(KEY).toContain("TEST-SSH-KEY-MATERIAL");
  });
});

describe("a bare-metal platform behind a bastion", () => {
  const bastionSsh = {
    user: "ubuntu",
    privateKey: KEY,
    bastion: { host: "jump.example.net", port: 2222, user: "jump", privateKey: BASTION_KEY },
  };

  it("connects to every node through cluster.ssh.bastion (connection.proxy), the whole connection secret", async () => {
    const d = await deploy(parse(bareMetalValues({ ssh: bastionSsh })));
    const proxy = {
      host: "jump.example.net",
      port: 2222,
      user: "jump",
      privateKey: BASTION_KEY,
      dialErrorLimit: 10,
      perDialTimeout: 15,
    };
    const conn = (host: string) => ({
      host,
      port: 22,
      user: "ubuntu",
      privateKey: KEY,
      dialErrorLimit: 10,
      perDialTimeout: 15,
      proxy,
    });
    expect(d.inputs("de-prod-a1-install").connection).toEqual(conn("10.0.1.21"));
    expect(d.inputs("de-prod-a1-ready").connection).toEqual(conn("10.0.0.11"));
    for (const r of d.resources.filter((x) => x.type === "command:remote:Command")) {
      expect([r.name, isSecretWrapped(r.inputs.connection)]).toEqual([r.name, true]);
      expect(JSON.stringify({ ...r.inputs, connection: undefined })).not.toContain(
        "TEST-BASTION-KEY-MATERIAL",
      );
    }
    expect(JSON.stringify(d.outputs)).not.toContain("TEST-BASTION-KEY-MATERIAL");
  });

  it("reports a bastion key stored in plain text, and one given twice", () => {
    expect(configError(bareMetalValues({ ssh: bastionSsh }), ["cluster"])).toBe(
      header(2) +
        "  - cluster.ssh.privateKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'cluster.ssh.privateKey' <value>` so it is encrypted in Pulumi.test.yaml\n" +
        "  - cluster.ssh.bastion.privateKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'cluster.ssh.bastion.privateKey' <value>` so it is encrypted in Pulumi.test.yaml",
    );
    expect(
      configError(
        bareMetalValues({ ssh: { ...bastionSsh, bastion: { ...bastionSsh.bastion, privateKeyPath: "/k" } } }),
      ),
    ).toBe(header(1) + "  - cluster.ssh.bastion: give privateKey or privateKeyPath, not both");
  });
});

describe("Pulumi.prod.yaml", () => {
  const root = path.join(__dirname, "..", "..", "..");

  it("is a complete bare-metal platform: three servers, three agents, the key a secure value", async () => {
    const source = await readStackConfig(root, "prod");
    const config = parsePlatformConfig(source);
    if (config.cluster.kind !== "baremetal") throw new Error("prod must be bare metal");
    expect(config.cluster.servers).toHaveLength(3);
    expect(config.cluster.agents).toHaveLength(3);
    expect(source.isSecret(["cluster", "ssh", "privateKey"])).toBe(true);
    expect(config.cluster.retainOnDelete).toBe(true);
  });

  it("renders offline: every node's steps, the kubeconfig secret, nothing secret in plain text", async () => {
    const r = await renderStack(root, "prod");
    const names = r.resources.map((x) => x.name);
    for (const n of [
      "de-prod-cp-1",
      "de-prod-cp-2",
      "de-prod-cp-3",
      "de-prod-worker-1",
      "de-prod-worker-2",
      "de-prod-worker-3",
    ])
      expect(names).toContain(`de-prod-${n}-ready`);
    expect(r.secretOutputs).toContain("kubeconfig");
    expect(r.outputs.kubeconfig).toBe("[secret]");
    const text = JSON.stringify(r);
    expect(text).not.toContain("render-placeholder-password");
    expect(text).not.toContain("UExBQ0VIT0xERVItS0VZ");
  });
});
