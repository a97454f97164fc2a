// A real control plane on 127.0.0.1 with free ports: etcd, kube-apiserver (TLS, client-certificate
// auth, service-account keys, an audit log of every request's identity in the logs folder),
// kube-controller-manager (namespace deletion, garbage collection, the deployment and replicaset
// controllers that make Pods from Deployments, the endpoints controller that puts ready Pods
// behind their Services, the resourcequota controller that fills in a quota's status: what
// Pulumi's await reads) and the Flux CRDs applied and
// Established. No scheduler and no real kubelet: the process kubelet binds and reports the Flux
// controllers' Pods (pods.ts); other Pods stay Pending.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { Kube, type KubeObject } from "./kube";
import { adminKubeconfig, makePki, tokenKubeconfig, type Pki } from "./pki";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, secondsSince, waitFor } from "./util";

export interface ControlPlane {
  server: string;
  kubeconfig: string;
  pki: Pki;
  kube: Kube;
  /** The API server's audit log (JSON lines, level Metadata: who did what, never a body). */
  auditLog: string;
  /** etcd's client URL (plain HTTP on loopback), to read what the API server stored. */
  etcdUrl: string;
  /**
   * A kubeconfig file authenticating as a ServiceAccount, with a token from the TokenRequest API
   * (what a kubelet projects into a pod), so a process runs with that account's RBAC only.
   */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /** Seconds: etcd healthy, API server ready, controller manager started, CRDs Established, total. */
  figures: { etcd: number; apiserver: number; controllerManager: number; crds: number; total: number };
}

export async function startControlPlane(
  sup: Supervisor,
  tools: Tools,
  workDir: string,
  opts: {
    crds?: boolean;
    /** Prefix of the process (and log) names, for a second control plane. */ prefix?: string;
  } = {},
): Promise<ControlPlane> {
  const prefix = opts.prefix ?? "";
  const t0 = Date.now();
  let tokenWrites = 0;
  const pki = await makePki(path.join(workDir, "pki"));

  // etcd
  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  sup.start({
    name: `${prefix}etcd`,
    command: tools.path("etcd"),
    args: [
      "--name=e2e",
      `--data-dir=${path.join(workDir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
  });
  await waitFor(
    "etcd health",
    async () => {
      const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { health?: string };
      return body.health === "true" ? true : undefined;
    },
    { timeoutMs: 30_000, check: () => sup.assertAlive() },
  );
  const etcdSeconds = secondsSince(t0);

  // kube-apiserver
  const t1 = Date.now();
  const apiPort = await freePort();
  const server = `https://127.0.0.1:${apiPort}`;
  const auditPolicy = path.join(workDir, `${prefix}audit-policy.yaml`);
  fs.writeFileSync(
    auditPolicy,
    [
      "apiVersion: audit.k8s.io/v1",
      "kind: Policy",
      "omitStages: [RequestReceived]",
      "rules:",
      "  - level: Metadata",
      "",
    ].join("\n"),
  );
  const auditLog = path.join(sup.logDir, `${prefix}kube-apiserver-audit.log`);
  sup.start({
    name: `${prefix}kube-apiserver`,
    command: tools.path("kube-apiserver"),
    args: [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(workDir, "apiserver-certs")}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=RBAC",
      "--endpoint-reconciler-type=none",
      "--allow-privileged=false",
      "--profiling=false",
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLog}`,
      "--audit-log-format=json",
      // One file for the run (rotation would split it; the default rotates at 100 MB).
      "--audit-log-maxsize=4096",
      "--v=1",
    ],
  });
  const kube = new Kube(server, { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
  await waitFor(
    "kube-apiserver /readyz",
    async () => ((await kube.request("GET", "/readyz")).status === 200 ? true : undefined),
    { timeoutMs: 90_000, intervalMs: 300, check: () => sup.assertAlive() },
  );
  const kubeconfig = path.join(workDir, "kubeconfig");
  fs.writeFileSync(kubeconfig, adminKubeconfig(pki, server), { mode: 0o600 });
  const apiserverSeconds = secondsSince(t1);

  // kube-controller-manager: only the controllers the tests rely on.
  const t2 = Date.now();
  sup.start({
    name: `${prefix}kube-controller-manager`,
    command: tools.path("kube-controller-manager"),
    args: [
      `--kubeconfig=${kubeconfig}`,
      "--secure-port=0",
      "--leader-elect=false",
      "--controllers=namespace,garbagecollector,serviceaccount,deployment,replicaset,endpoints-controller,resourcequota-controller",
      "--use-service-account-credentials=false",
      `--root-ca-file=${pki.caCert}`,
      `--service-account-private-key-file=${pki.saKey}`,
      "--v=1",
    ],
  });
  // It is up once it created the default ServiceAccount of a namespace.
  await waitFor(
    "kube-controller-manager (default ServiceAccount in namespace default)",
    async () => ((await kube.get("v1", "ServiceAccount", "default", "default")) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 300, check: () => sup.assertAlive() },
  );
  const controllerManagerSeconds = secondsSince(t2);

  // Flux CRDs (unless the caller's program installs them itself)
  const t3 = Date.now();
  if (opts.crds ?? true) await applyCrds(kube, tools.crds, () => sup.assertAlive());
  const crdSeconds = secondsSince(t3);

  return {
    server,
    kubeconfig,
    pki,
    kube,
    auditLog,
    etcdUrl,
    async serviceAccountKubeconfig(namespace, name) {
      const res = await kube.request(
        "POST",
        `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
        { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 7200 } },
      );
      const token = (res.body as { status?: { token?: string } } | undefined)?.status?.token;
      if (res.status !== 201 || !token)
        throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name}: ${res.status} ${res.text}`);
      const file = path.join(workDir, "tokens", `${namespace}-${name}.kubeconfig`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written aside and renamed over: controllers of one ServiceAccount (a kustomize-controller and
      // its shards) start together, and one reading the file while another's start rewrote it in
      // place found it empty ("no configuration has been provided") and exited.
      const next = `${file}.${process.pid}.${++tokenWrites}`;
      fs.writeFileSync(next, tokenKubeconfig(pki, server, token), { mode: 0o600 });
      fs.renameSync(next, file);
      return file;
    },
    figures: {
      etcd: etcdSeconds,
      apiserver: apiserverSeconds,
      controllerManager: controllerManagerSeconds,
      crds: crdSeconds,
      total: secondsSince(t0),
    },
  };
}

/** Applies every CRD in `dir` and waits until each is Established. */
export async function applyCrds(kube: Kube, dir: string, check: () => void): Promise<string[]> {
  const names: string[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
      const obj = doc.toJS() as KubeObject | null;
      if (!obj || obj.kind !== "CustomResourceDefinition") continue;
      await kube.apply(obj);
      names.push(obj.metadata.name);
    }
  }
  if (names.length === 0) throw new Error(`no CustomResourceDefinition found in ${dir}`);
  for (const name of names) {
    await kube.waitCondition("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, undefined, {
      type: "Established",
      timeoutMs: 60_000,
      check,
    });
  }
  return names;
}
