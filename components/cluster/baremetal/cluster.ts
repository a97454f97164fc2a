import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type { KubernetesCluster } from "../types";
import type { BareMetalClusterArgs } from "./types";
import { resolveBareMetalClusterArgs, type ResolvedCluster, type ResolvedNode } from "./resolve";
import { configHash, renderNodeConfig } from "./nodeConfig";
import { KeyLoader, sshConnection, type SshConnection } from "./connection";
import { apiUrl, decryptKubeconfig, rewriteKubeconfig } from "./kubeconfig";
import * as scripts from "./scripts";
import { KUBERNETES_PROVIDER_SETTINGS } from "../providerSettings";

/** The steps of one node, in order; `ready` is what the next node waits for. */
export interface NodeSteps {
  uninstall: command.remote.Command;
  config: command.remote.Command;
  /** Air-gapped from a local folder: one copy per artifact; empty otherwise. */
  artifacts: command.remote.CopyToRemote[];
  install: command.remote.Command;
  ready: command.remote.Command;
  drain?: command.remote.Command;
}

/** What re-runs a node's install and Ready wait: the version, the install source and the node's own config. */
export function nodeTriggers(c: ResolvedCluster, config: string): string[] {
  return [
    c.version,
    c.install.mode,
    c.install.mirrorUrl ?? c.install.artifactsDir ?? c.install.scriptUrl,
    configHash(config),
  ];
}

/**
 * A Kubernetes cluster (RKE2 or k3s) on machines reached over SSH. The first server initialises the
 * cluster; the other servers join it one at a time, then the agents one at a time; every node is
 * Ready before the next starts. A version change re-runs the installs in the same order; a node's
 * config change re-runs only that node. Removing a node drains and uninstalls it.
 */
export class BareMetalCluster extends pulumi.ComponentResource implements KubernetesCluster {
  public readonly kind = "baremetal" as const;
  public readonly clusterName: pulumi.Output<string>;
  /** Admin kubeconfig pointing at the API endpoint; secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  /** The last node's Ready step: everything else is Ready before it. */
  public readonly readyResources: pulumi.Resource[];
  /** Nothing beyond the CLUSTER_* keys the platform sets. */
  public readonly clusterVars: Record<string, pulumi.Input<string>> = {};
  /** `https://<apiEndpoint>:<apiPort>`. */
  public readonly apiServer: pulumi.Output<string>;
  /** Node names in join order. */
  public readonly nodeNames: pulumi.Output<string[]>;

  constructor(name: string, args: BareMetalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Resolve first: bad arguments fail before anything is registered.
    const c = resolveBareMetalClusterArgs(args);
    super("platform:cluster:BareMetalCluster", name, {}, opts);
    const keys = new KeyLoader();
    const token = new random.RandomPassword(
      `${name}-token`,
      { length: 48, special: false },
      { parent: this },
    );
    const tokenValue = pulumi.secret(token.result);
    const first = c.nodes[0];
    const firstConn = sshConnection(first.host, first.ssh, keys, first.path);

    let previous: pulumi.Resource | undefined;
    const steps: NodeSteps[] = [];
    for (const node of c.nodes) {
      const conn = node === first ? firstConn : sshConnection(node.host, node.ssh, keys, node.path);
      const s = this.nodeSteps(name, c, node, conn, firstConn, { token, value: tokenValue }, previous);
      steps.push(s);
      previous = s.ready;
    }
    const firstReady = steps[0].ready;

    // The kubeconfig travels encrypted with a generated key, so logs of the command show no credentials.
    const kubeconfigKey = new random.RandomPassword(
      `${name}-kubeconfig-key`,
      { length: 48, special: false },
      { parent: this },
    );
    const read = new command.remote.Command(
      `${name}-kubeconfig`,
      {
        connection: firstConn,
        create: scripts.asRoot(scripts.kubeconfigScript(c), first.ssh.user),
        stdin: pulumi.secret(kubeconfigKey.result),
        triggers: [c.version],
      },
      { parent: this, dependsOn: [firstReady], additionalSecretOutputs: ["stdout"] },
    );
    this.apiServer = pulumi.output(apiUrl(c.apiEndpoint, c.apiPort));
    this.clusterName = pulumi.output(c.clusterName);
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([read.stdout, kubeconfigKey.result])
        .apply(([out, key]) =>
          rewriteKubeconfig(decryptKubeconfig(out, key), apiUrl(c.apiEndpoint, c.apiPort), c.clusterName),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, ...KUBERNETES_PROVIDER_SETTINGS },
      { parent: this },
    );
    this.readyResources = [steps[steps.length - 1].ready];
    this.nodeNames = pulumi.output(c.nodes.map((n) => n.key));
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      provider: this.provider,
      apiServer: this.apiServer,
      nodeNames: this.nodeNames,
    });
  }

  private nodeSteps(
    name: string,
    c: ResolvedCluster,
    node: ResolvedNode,
    conn: SshConnection,
    firstConn: SshConnection,
    token: { token: random.RandomPassword; value: pulumi.Output<string> },
    previous: pulumi.Resource | undefined,
  ): NodeSteps {
    const id = `${name}-${node.key}`;
    const root = (body: string) => scripts.asRoot(body, node.ssh.user);
    const firstUser = c.nodes[0].ssh.user;
    const config = renderNodeConfig(c, node);
    const triggers = nodeTriggers(c, config);
    const uninstallAnchor = scripts.anchorFile("uninstall", node.key);
    const drainAnchor = scripts.anchorFile("drain", node.key);
    // Removal anchor: created first, deleted last; its delete uninstalls the node, on removal only
    // (it counts its holders, so a replacement, e.g. after a key rotation, undoes nothing). The join
    // token goes only with the whole cluster: with retainOnDelete, deletedWith skips the uninstall
    // then and the machines keep the software, while removing one node still uninstalls it.
    const uninstall = new command.remote.Command(
      `${id}-uninstall`,
      {
        connection: conn,
        create: root(
          scripts.anchorCreateScript(uninstallAnchor, `${node.key} is managed by the platform program`),
        ),
        update: scripts.markerScript("nothing to do"),
        delete: root(scripts.anchorDeleteScript(uninstallAnchor, scripts.uninstallScript(c, node))),
      },
      { parent: this, ...(c.retainOnDelete ? { deletedWith: token.token } : {}) },
    );
    const configCmd = new command.remote.Command(
      `${id}-config`,
      { connection: conn, create: root(scripts.configScript(c, node, config)), stdin: token.value },
      { parent: this, dependsOn: [uninstall] },
    );
    // Air-gapped from a local folder: the staging folder first (mode 0700, as the SSH user), then one
    // copy per artifact, keyed by its file name; the install waits for every copy.
    const artifacts: command.remote.CopyToRemote[] = [];
    if (c.install.mode === "airgap" && c.install.artifactsDir !== undefined) {
      const stage = new command.remote.Command(
        `${id}-stage`,
        { connection: conn, create: scripts.stageScript(c), triggers: [c.version] },
        { parent: this, dependsOn: [uninstall] },
      );
      for (const file of c.facts.artifacts(c.install.arch))
        artifacts.push(
          new command.remote.CopyToRemote(
            `${id}-artifact-${file}`,
            {
              connection: conn,
              source: new pulumi.asset.FileAsset(path.join(c.install.artifactsDir, file)),
              remotePath: `${scripts.stagingDir(c)}/${file}`,
              triggers: [c.version],
            },
            { parent: this, dependsOn: [stage] },
          ),
        );
    }
    const install = new command.remote.Command(
      `${id}-install`,
      { connection: conn, create: root(scripts.installScript(c, node)), triggers },
      { parent: this, dependsOn: [configCmd, ...artifacts, ...(previous ? [previous] : [])] },
    );
    const ready = new command.remote.Command(
      `${id}-ready`,
      { connection: firstConn, create: scripts.asRoot(scripts.readyScript(c, node), firstUser), triggers },
      { parent: this, dependsOn: [install] },
    );
    // Removing a node drains it first (run on the first server), then its uninstall anchor goes;
    // deleting the whole cluster never drains.
    const drain = node.first
      ? undefined
      : new command.remote.Command(
          `${id}-drain`,
          {
            connection: firstConn,
            create: scripts.asRoot(
              scripts.anchorCreateScript(
                drainAnchor,
                `${node.key} drains through the first server when removed`,
              ),
              firstUser,
            ),
            update: scripts.markerScript("nothing to do"),
            delete: scripts.asRoot(
              scripts.anchorDeleteScript(drainAnchor, scripts.drainScript(c, node)),
              firstUser,
            ),
          },
          { parent: this, dependsOn: [ready], deletedWith: token.token },
        );
    return { uninstall, config: configCmd, artifacts, install, ready, drain };
  }
}
