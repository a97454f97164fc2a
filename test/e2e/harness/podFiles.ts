// What a controller's pod gets besides its args: the volumes its Deployment mounts and its own
// environment. The process kubelet understands the kinds a Flux install uses and nothing else:
// `emptyDir` (an empty folder), `configMap` and `secret` (their keys written as files, as a kubelet
// projects them), mounted whole (no subPath); env values given literally, from the pod's namespace,
// or from the container's memory limit. Each volume becomes a folder of the pod's own folder (an
// emptyDir of `medium: Memory` a folder on a tmpfs, as a kubelet mounts one), and every mount path in
// an env value is rewritten to it (SSL_CERT_DIR=…:/etc/platform/trusted-cas →
// …:<pod folder>/platform-trusted-cas), so a controller trusts a CA only if the program mounts it. A
// volume mounted at /tmp is the process's TMPDIR, the folder Go's os.TempDir gives, as /tmp is in the
// container.
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeObject } from "./kube";
import type { Container } from "./podSpec";

interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  [kind: string]: unknown;
}

/** The pod template's volumes. */
const volumesOf = (d: KubeObject): Volume[] =>
  (d.spec as { template?: { spec?: { volumes?: Volume[] } } } | undefined)?.template?.spec?.volumes ?? [];

/** Environment variables the harness's own shell may hold that would give a controller trust the program did not configure. */
export const HOST_TRUST_ENV = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/** Kubernetes memory quantity (`1Gi`, `512Mi`, `1G`, `1000`) in bytes, or undefined. */
export function quantityBytes(q: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return undefined;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2] as keyof typeof unit] : 1);
}

/**
 * Why this pod cannot be run by the process kubelet: a volume of a kind it does not understand, a
 * mount of a volume the pod does not have or of a subPath, an env value from a source it does not
 * resolve. Empty when it can be.
 */
export function podFilesProblems(d: KubeObject, container: Container): string[] {
  const where = `Deployment ${d.metadata.namespace}/${d.metadata.name}`;
  const out: string[] = [];
  const volumes = volumesOf(d);
  for (const v of volumes) {
    const kinds = Object.keys(v).filter((k) => k !== "name");
    if (kinds.length !== 1 || !["emptyDir", "configMap", "secret"].includes(kinds[0]))
      out.push(
        `${where}: volume ${JSON.stringify(v.name)} is ${kinds.join("+") || "of no kind"}; the process kubelet runs emptyDir, configMap and secret volumes only: not run`,
      );
  }
  for (const v of volumes)
    if (v.emptyDir?.medium !== undefined && !["", "Memory"].includes(v.emptyDir.medium))
      out.push(
        `${where}: volume ${JSON.stringify(v.name)} is an emptyDir of medium ${JSON.stringify(v.emptyDir.medium)}; the process kubelet runs the default medium and Memory only: not run`,
      );
  for (const m of container.volumeMounts ?? []) {
    if (!volumes.some((v) => v.name === m.name))
      out.push(
        `${where}: mount ${m.mountPath} names volume ${JSON.stringify(m.name)}, which the pod does not have: not run`,
      );
    if (m.subPath !== undefined || m.subPathExpr !== undefined)
      out.push(
        `${where}: mount ${m.mountPath} uses a subPath, which the process kubelet does not run: not run`,
      );
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) continue;
    const field = from.fieldRef?.fieldPath;
    const resource = from.resourceFieldRef?.resource;
    if (field === "metadata.namespace" || resource === "limits.memory") continue;
    out.push(
      `${where}: env ${e.name} comes from ${JSON.stringify(from)}; the process kubelet resolves metadata.namespace and limits.memory only: not run`,
    );
  }
  return out;
}

/**
 * Every occurrence of a mount path (a whole path segment) in `value` replaced by its folder, in one
 * pass: a folder that itself starts with another mount path (`/tmp/…`) is not rewritten again.
 */
export function rewriteMountPaths(value: string, mounts: [string, string][]): string {
  const byPath = new Map(mounts.map(([m, dir]) => [m.replace(/\/+$/, ""), dir]));
  if (!byPath.size) return value;
  const alternatives = [...byPath.keys()]
    .sort((a, b) => b.length - a.length)
    .map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(^|[:=,\\s])(${alternatives.join("|")})(?=/|:|,|\\s|$)`, "g");
  return value.replace(re, (_m, pre: string, mount: string) => `${pre}${byPath.get(mount)}`);
}

/**
 * Writes the pod's volumes into `dir` (a fresh folder per start: one subfolder per volume, the keys
 * of a ConfigMap or Secret as files; an emptyDir of `medium: Memory` in `memoryDir`, a fresh folder
 * on a tmpfs, linked from `dir`) and returns the container's own environment with mount paths
 * rewritten to those folders, and TMPDIR set to the volume mounted at /tmp if there is one. Throws
 * when a ConfigMap or Secret it mounts does not exist (the pod would not start: ContainerCreating);
 * the kubelet tries again on its next round.
 */
export async function materialisePod(o: {
  d: KubeObject;
  container: Container;
  dir: string;
  /** Where this pod's `medium: Memory` emptyDirs go: a folder on a tmpfs (under /dev/shm); none without one. */
  memoryDir: string | undefined;
  namespace: string;
  get: (kind: "ConfigMap" | "Secret", name: string, namespace: string) => Promise<KubeObject | undefined>;
}): Promise<Record<string, string>> {
  const where = `Deployment ${o.namespace}/${o.d.metadata.name}`;
  fs.rmSync(o.dir, { recursive: true, force: true });
  if (o.memoryDir) fs.rmSync(o.memoryDir, { recursive: true, force: true });
  const folders = new Map<string, string>();
  for (const v of volumesOf(o.d)) {
    const folder = path.join(o.dir, v.name);
    if (v.emptyDir?.medium === "Memory") {
      if (!o.memoryDir)
        throw new Error(
          `${where}: volume ${v.name} is an emptyDir of medium Memory and this machine has no tmpfs at /dev/shm to make it on`,
        );
      const inMemory = path.join(o.memoryDir, v.name);
      fs.mkdirSync(inMemory, { recursive: true });
      fs.mkdirSync(o.dir, { recursive: true });
      fs.symlinkSync(inMemory, folder);
    } else fs.mkdirSync(folder, { recursive: true });
    folders.set(v.name, folder);
    const source = v.configMap
      ? {
          kind: "ConfigMap" as const,
          name: v.configMap.name,
          items: v.configMap.items,
          optional: v.configMap.optional,
        }
      : v.secret
        ? {
            kind: "Secret" as const,
            name: v.secret.secretName,
            items: v.secret.items,
            optional: v.secret.optional,
          }
        : undefined;
    if (!source) continue;
    const obj = await o.get(source.kind, source.name, o.namespace);
    if (!obj && source.optional) continue;
    if (!obj)
      throw new Error(
        `${where}: ${source.kind} ${o.namespace}/${source.name} (volume ${v.name}) does not exist yet`,
      );
    const data: Record<string, Buffer> = Object.fromEntries(
      Object.entries((obj as { data?: Record<string, string> }).data ?? {}).map(([k, x]) => [
        k,
        source.kind === "Secret" ? Buffer.from(x, "base64") : Buffer.from(x, "utf8"),
      ]),
    );
    const files = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const f of files) {
      if (!(f.key in data))
        throw new Error(`${where}: ${source.kind} ${o.namespace}/${source.name} has no key ${f.key}`);
      fs.mkdirSync(path.dirname(path.join(folder, f.path)), { recursive: true });
      fs.writeFileSync(path.join(folder, f.path), data[f.key], { mode: 0o400 });
    }
  }
  const mounts: [string, string][] = (o.container.volumeMounts ?? []).map((m) => [
    m.mountPath,
    folders.get(m.name)!,
  ]);
  const env: Record<string, string> = {};
  const tmp = mounts.find(([m]) => m.replace(/\/+$/, "") === "/tmp");
  if (tmp) env.TMPDIR = tmp[1];
  for (const e of o.container.env ?? []) {
    if (e.value !== undefined) env[e.name] = rewriteMountPaths(e.value, mounts);
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = o.namespace;
    else if (e.valueFrom?.resourceFieldRef?.resource === "limits.memory") {
      const limit = o.container.resources?.limits?.memory;
      const bytes = limit !== undefined ? quantityBytes(limit) : undefined;
      if (bytes !== undefined) env[e.name] = String(bytes);
    }
  }
  return env;
}
