// The node side of the process kubelet: kube-controller-manager's deployment and replicaset
// controllers make the Flux Deployments' ReplicaSets and Pods as on a cluster; the kubelet binds a
// controller's Pods to its node, reports them Running and Ready exactly while the process running
// the Deployment's current template answers its readiness probe, and finishes the deletion of Pods
// being deleted (a kubelet confirms a Pod's end: without it, a bound Pod never goes away). The
// replicaset and deployment controllers turn that into the Deployment's status (readyReplicas,
// availableReplicas, the Available and Progressing conditions), which `pulumi up` waits on.
import type { Kube, KubeObject } from "./kube";
import { podTemplate } from "./podSpec";

interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: { name: string; image?: string; args?: string[] }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const selectorMatches = (d: KubeObject, labels: Record<string, string>) => {
  const sel = (d.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
  return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
};

/** The pod runs the Deployment's current template's container (image and args). */
const runsTemplate = (pod: Pod, d: KubeObject) => {
  const want = podTemplate(d).container;
  const got = pod.spec.containers[0];
  return got?.image === want?.image && JSON.stringify(got?.args ?? []) === JSON.stringify(want?.args ?? []);
};

/**
 * One round over the Pods of `namespace`: those of a controller Deployment (`deployments`, by
 * binary) are bound to `node` and get the status `ready(binary)` says; bound Pods being deleted are
 * removed. Returns how many Pods it changed.
 */
/** The next Pod address (10.244.0.1 up), one per Pod this process reports. */
const ips = { next: 1 };

export async function syncPods(opts: {
  kube: Kube;
  namespace: string;
  node: string;
  deployments: { binary: string; d: KubeObject }[];
  ready: (binary: string) => boolean;
}): Promise<number> {
  const { kube, namespace, node } = opts;
  const base = `/api/v1/namespaces/${namespace}/pods`;
  let changed = 0;
  for (const pod of (await kube.list("v1", "Pod", namespace)) as Pod[]) {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp) {
      if (pod.spec.nodeName !== node) continue;
      await kube.request("DELETE", `${base}/${name}`, { gracePeriodSeconds: 0 });
      changed++;
      continue;
    }
    const labels = (pod.metadata.labels ?? {}) as Record<string, string>;
    const owner = opts.deployments.find(({ d }) => selectorMatches(d, labels));
    if (!owner) continue;
    if (!pod.spec.nodeName) {
      const res = await kube.request("POST", `${base}/${name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace },
        target: { apiVersion: "v1", kind: "Node", name: node },
      });
      if (res.status !== 201)
        throw new Error(`binding Pod ${namespace}/${name} to ${node}: ${res.status} ${res.text}`);
      changed++;
    }
    const ready = runsTemplate(pod, owner.d) && opts.ready(owner.binary);
    const was = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    if (pod.status?.phase === "Running" && was === ready) continue;
    const now = new Date().toISOString();
    const flag = ready ? "True" : "False";
    const container = pod.spec.containers[0];
    // A Pod address of its own (Endpoints refuse loopback); the kubelet maps it to loopback itself.
    const podIP = pod.status && (pod.status as { podIP?: string }).podIP;
    const ip = podIP ?? `10.244.${(ips.next >> 8) & 255}.${ips.next++ & 255}`;
    const status = {
      phase: "Running",
      hostIP: "127.0.0.1",
      podIP: ip,
      podIPs: [{ ip }],
      startTime: (pod.status as { startTime?: string } | undefined)?.startTime ?? now,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "ContainersReady", status: flag, lastTransitionTime: now },
        { type: "Ready", status: flag, lastTransitionTime: now },
      ],
      containerStatuses: [
        {
          name: container.name,
          image: container.image ?? "",
          imageID: "",
          ready,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        },
      ],
    };
    const res = await kube.request(
      "PATCH",
      `${base}/${name}/status`,
      { status },
      "application/merge-patch+json",
    );
    if (res.status !== 200) throw new Error(`status of Pod ${namespace}/${name}: ${res.status} ${res.text}`);
    changed++;
  }
  return changed;
}
