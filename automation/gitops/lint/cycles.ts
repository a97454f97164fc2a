/** dependsOn cycles: Flux waits forever on a Kustomization or HelmRelease in one. */
import type { Finding, ManifestDoc } from "../shared/manifests";

/**
 * Cycles of a dependsOn graph (`id → ids it depends on`), each reported once, as the list of ids
 * from its smallest member around to itself again.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "active");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === "active") {
        const cycle = stack.slice(stack.indexOf(m));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join(" "), [...rotated, rotated[0]]);
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return [...cycles.values()];
}

/** One finding per cycle, at the dependsOn of its first member. */
export function cycleFindings(
  kind: string,
  objs: { id: string; doc?: ManifestDoc; deps: string[] }[],
  report: (doc: ManifestDoc | undefined, message: string) => Finding,
): Finding[] {
  const graph = new Map(objs.map((o) => [o.id, o.deps]));
  return findCycles(graph).map((cycle) =>
    report(objs.find((o) => o.id === cycle[0])?.doc, `${kind} dependsOn cycle: ${cycle.join(" → ")}`),
  );
}
