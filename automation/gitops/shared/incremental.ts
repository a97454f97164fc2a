/**
 * What the incremental Git-side tools decide from: the files that changed between two revisions, and
 * whether a change reaches a platform's tree (a changed file at or below one of the inputs its builds
 * recorded, BuildResult.inputs). Sound only without symbolic links inside the repository (a link's
 * target may change while the link does not), so a repository with any link is never skipped.
 */
import { STOPS_BUILD } from "./build";
import type { PlatformTree, TreeContext } from "./tree";

export { firstLink } from "./mirror";

/** The first changed file (repository-relative) at, below or above one of `inputs`; undefined when none. */
export function reaching(inputs: Iterable<string>, changed: readonly string[]): string | undefined {
  if (!changed.length) return undefined;
  for (const input of inputs) {
    if (input === ".") return changed[0];
    const hit = changed.find((f) => f === input || f.startsWith(`${input}/`) || input.startsWith(`${f}/`));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Why the hand-written walk of a tree cannot vouch for its inputs being all its builds read (so a
 * change elsewhere might still reach it); undefined when it can. Walked with the keys of the stack
 * file, not its rendered values: a Kustomization path or source written with a variable is not vouched for.
 */
export function unvouched(tree: PlatformTree): string | undefined {
  if (tree.transformedBy) return `${tree.transformedBy} transforms Flux Kustomizations`;
  const stop = [...tree.unparsed, ...tree.findings].find((f) => STOPS_BUILD.has(f.rule));
  if (stop) return `${stop.file}:${stop.line} stops its build`;
  const variable = tree.nodes.find((n) => {
    const spec = (n.doc?.object.spec ?? {}) as { path?: unknown; sourceRef?: unknown };
    return JSON.stringify([spec.path, spec.sourceRef]).includes("${");
  });
  if (variable) return `Kustomization ${variable.namespace}/${variable.name}'s path or source is a variable`;
  return undefined;
}

/**
 * Whether the tree's walk is the same whatever its cluster-vars (keys and values): no Kustomization
 * of it holds a variable (`${` anywhere in its document), and no object has one in its kind, its
 * apiVersion or a top-level key. Substitution (of values without a line break, valuesPlain) then
 * leaves every Kustomization as written and makes no other object one, so the same ones are found
 * at the same paths, and the tree's inputs serve any such context (./treeInputs.ts).
 */
export function valuesFree(tree: PlatformTree): boolean {
  const variable = (v: unknown) => JSON.stringify(v ?? "").includes("${");
  return tree.nodes.every(
    (n) =>
      (!n.doc || !variable(n.doc.object)) &&
      n.built.every(
        ({ doc: { object } }) =>
          !variable(object.kind) && !variable(object.apiVersion) && !variable(Object.keys(object)),
      ),
  );
}

/** Whether no known cluster-vars value holds a line break (one could add keys to an object's YAML). */
export function valuesPlain(context: TreeContext): boolean {
  return Object.values(context.clusterVars).every((v) => v === undefined || !/[\r\n]/.test(v));
}
