// The official flux CLI (built by scripts/e2e/build-tools.sh at the pinned Flux) as an independent
// oracle on a harness cluster: `flux check`, and what `flux get` says of Flux objects compared with
// what the harness reads from the API server.
import type { Tools } from "./tools";
import { conditions, type Kube } from "./kube";
import { run, runStatus } from "./util";

export interface FluxGetRow {
  namespace: string;
  name: string;
  revision: string;
  suspended: string;
  ready: string;
}

/**
 * Rows of `flux get <what> -A`: the table's first five columns (NAMESPACE, NAME, REVISION,
 * SUSPENDED, READY), cut where the header's columns start (an empty cell stays empty); the
 * message, free text, is left out.
 */
export function parseFluxGet(stdout: string): FluxGetRow[] {
  const lines = stdout.split("\n").filter((l) => l.trim());
  const header = lines.findIndex((l) => /^NAMESPACE\s+NAME\s+REVISION\s+SUSPENDED\s+READY\b/.test(l));
  if (header < 0)
    throw new Error(`flux get printed no NAMESPACE NAME REVISION SUSPENDED READY table:\n${stdout}`);
  const head = lines[header];
  const cells = (l: string): string[] => {
    if (head.includes("\t")) return l.split("\t").map((c) => c.trim());
    const starts = [...head.matchAll(/\S+/g)].map((m) => m.index);
    return starts.map((at, i) => l.slice(at, starts[i + 1]).trim());
  };
  return lines.slice(header + 1).map((l) => {
    const [namespace, name, revision, suspended, ready] = cells(l);
    return { namespace, name, revision, suspended, ready };
  });
}

/** flux get shows a Git revision's commit abbreviated to 8 hex digits: `main@sha1:75df959d`. */
export function sameRevision(shown: string, full: string): boolean {
  return (
    shown === full ||
    (/@sha1:[0-9a-f]{8}$/.test(shown) && full.startsWith(shown) && /@sha1:[0-9a-f]{40}$/.test(full))
  );
}

/** `flux check` against the cluster: exits 0 when the controllers and CRDs are as Flux expects. */
export async function fluxCheck(tools: Tools, kubeconfig: string): Promise<string> {
  const r = await run(tools.path("flux"), ["check", `--kubeconfig=${kubeconfig}`], { timeoutMs: 120_000 });
  return r.stdout + r.stderr;
}

/**
 * `flux get sources git -A` and `flux get kustomizations -A` against what the API server holds:
 * the same objects, and for each the same Ready status and revision (the artifact's for a source,
 * the last applied for a Kustomization). Throws naming every disagreement.
 */
export async function expectFluxGetAgrees(tools: Tools, kubeconfig: string, kube: Kube): Promise<number> {
  const flux = (what: string[]) =>
    run(tools.path("flux"), ["get", ...what, "-A", `--kubeconfig=${kubeconfig}`], { timeoutMs: 60_000 });
  const kinds: [string[], string, string, (s: Record<string, unknown>) => unknown][] = [
    [
      ["sources", "git"],
      "source.toolkit.fluxcd.io/v1",
      "GitRepository",
      (s) => (s.artifact as { revision?: string })?.revision,
    ],
    [["kustomizations"], "kustomize.toolkit.fluxcd.io/v1", "Kustomization", (s) => s.lastAppliedRevision],
  ];
  const problems: string[] = [];
  let compared = 0;
  for (const [what, apiVersion, kind, revisionOf] of kinds) {
    const rows = parseFluxGet((await flux(what)).stdout);
    const live = await kube.list(apiVersion, kind);
    const ids = new Set([
      ...rows.map((r) => `${r.namespace}/${r.name}`),
      ...live.map((o) => `${String(o.metadata.namespace)}/${o.metadata.name}`),
    ]);
    for (const id of ids) {
      compared++;
      const row = rows.find((r) => `${r.namespace}/${r.name}` === id);
      const o = live.find((x) => `${String(x.metadata.namespace)}/${x.metadata.name}` === id);
      if (!row || !o) {
        problems.push(
          `${kind} ${id}: ${row ? "flux lists it, the API server has none" : "the API server has it, flux does not list it"}`,
        );
        continue;
      }
      const ready = conditions(o).find((c) => c.type === "Ready")?.status ?? "Unknown";
      const revision = String(revisionOf((o.status ?? {}) as Record<string, unknown>) ?? "");
      if (row.ready !== ready || !sameRevision(row.revision, revision))
        problems.push(
          `${kind} ${id}: flux says ready ${row.ready} at ${row.revision}, the API server ${ready} at ${revision}`,
        );
    }
  }
  if (problems.length) throw new Error(`flux get disagrees with the cluster:\n  ${problems.join("\n  ")}`);
  return compared;
}

/** One object `flux diff kustomization` reports: `Kind/namespace/name` (`Kind/name` cluster-scoped). */
export interface FluxDiffChange {
  object: string;
  change: "created" | "drifted" | "deleted";
}

/**
 * The `► <Kind/namespace/name> created|drifted|deleted` lines of `flux diff kustomization` (colours
 * stripped), in order; the drift's diff text, `skipped` lines and the `📁 … changed` headers of
 * Kustomizations diffed recursively are not changes of their own.
 */
export function parseFluxDiff(stdout: string): FluxDiffChange[] {
  // eslint-disable-next-line no-control-regex
  const plain = stdout.replace(/\u001b\[[0-9;]*m/g, "");
  return [...plain.matchAll(/^► (\S+) (created|drifted|deleted)$/gm)].map((m) => ({
    object: m[1],
    change: m[2] as FluxDiffChange["change"],
  }));
}

/**
 * `flux diff kustomization <name> --path <dir> --recursive` against the live cluster, with the root
 * source read from `sourceDir` (a checkout of the new revision): exit 0 no change, 1 changes.
 */
export async function fluxDiffKustomization(
  tools: Tools,
  kubeconfig: string,
  opts: { name: string; namespace: string; path: string; localSource: string; sourceDir: string },
): Promise<{ stdout: string; changes: FluxDiffChange[] }> {
  const r = await runStatus(
    tools.path("flux"),
    [
      "diff",
      "kustomization",
      opts.name,
      `--namespace=${opts.namespace}`,
      `--path=${opts.path}`,
      "--recursive",
      `--local-sources=${opts.localSource}=${opts.sourceDir}`,
      "--progress-bar=false",
      `--kubeconfig=${kubeconfig}`,
    ],
    { timeoutMs: 180_000 },
  );
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`flux diff kustomization ${opts.name} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, changes: parseFluxDiff(r.stdout) };
}
