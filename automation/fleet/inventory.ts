/**
 * The fleet inventory: which platform stacks exist and in which rollout wave, read from the
 * `platform:fleet` key of the stack files themselves (one source of truth, reviewed with the stack).
 * Pure: the caller reads the stack files (automation/fleet/inventoryFile.ts) and hands their values in.
 */
import versions from "../../components/flux/versions.json";
import { z } from "zod";
import { fleetSchema, type FleetConfig } from "../../stacks/schema/fleet";

export { fleetSchema, type FleetConfig } from "../../stacks/schema/fleet";

/** One stack file's values (keys without the `platform:` namespace), as read offline. */
export interface StackEntry {
  stack: string;
  /** `Pulumi.<stack>.yaml`, for messages. */
  file: string;
  values: Record<string, unknown>;
}

/** A stack of the fleet. */
export interface FleetStack {
  stack: string;
  file: string;
  wave: number;
  group?: string;
  /** Declared labels plus `environment` (from platform:environment) unless declared. */
  labels: Record<string, string>;
  /** platform:name, when the file has one. */
  platformName?: string;
  /** platform:cluster.context, when set: the kubeconfig context the Flux gate reads through. */
  kubeContext?: string;
  /** What the stack file declares about the platform, for the reports. */
  declared?: DeclaredPlatform;
}

/** What a stack file declares about its platform, as the fleet page shows it. */
export interface DeclaredPlatform {
  /** platform:cluster.kind: eks, baremetal or existing. */
  clusterKind?: string;
  /** platform:flux.version, or the pinned default (components/flux/versions.json). */
  fluxVersion?: string;
  /** platform:flux.source.ref as `<kind> <value>` (`tag v1.2.0`), what the root follows. */
  desiredRef?: string;
}

export interface Inventory {
  /** Fleet stacks sorted by wave, then name. */
  stacks: FleetStack[];
  /** Stack files without `platform:fleet`: not part of the fleet (listed so nobody is surprised). */
  outside: string[];
}

/** The inventory is invalid: every problem at once, each naming its file and key. */
export class InventoryError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid fleet inventory, ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "InventoryError";
  }
}

function zodProblems(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const at = ["platform:fleet", ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys")
      return `${file}: ${at}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}: the fleet entry takes wave, group and labels`;
    return `${file}: ${at}: ${issue.message}`;
  });
}

function stringAt(values: Record<string, unknown>, ...path: string[]): string | undefined {
  let v: unknown = values;
  for (const k of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The declared cluster kind, Flux version and ref of a stack file's values (unvalidated: absent when unreadable). */
export function declaredPlatform(values: Record<string, unknown>): DeclaredPlatform {
  const clusterKind = stringAt(values, "cluster", "kind");
  const ref = (values.flux as { source?: { ref?: unknown } } | undefined)?.source?.ref;
  const set =
    ref && typeof ref === "object" ? Object.entries(ref).filter(([, v]) => typeof v === "string" && v) : [];
  return {
    ...(clusterKind !== undefined ? { clusterKind } : {}),
    fluxVersion: stringAt(values, "flux", "version") ?? versions.flux,
    ...(set.length === 1 ? { desiredRef: `${set[0][0]} ${String(set[0][1])}` } : {}),
  };
}

/** Missing wave numbers between 1 and the highest used wave. */
export function waveGaps(waves: readonly number[]): number[] {
  const used = new Set(waves);
  const max = Math.max(0, ...waves);
  const gaps: number[] = [];
  for (let w = 1; w <= max; w++) if (!used.has(w)) gaps.push(w);
  return gaps;
}

/** Build and validate the inventory from the stack files' values. Throws InventoryError. */
export function buildInventory(entries: readonly StackEntry[]): Inventory {
  const problems: string[] = [];
  const stacks: FleetStack[] = [];
  const outside: string[] = [];
  const seenStack = new Set<string>();
  for (const e of entries) {
    if (seenStack.has(e.stack)) {
      problems.push(`${e.file}: stack "${e.stack}" is listed twice: give each stack one file`);
      continue;
    }
    seenStack.add(e.stack);
    if (e.values.fleet === undefined) {
      outside.push(e.stack);
      continue;
    }
    const parsed = fleetSchema.safeParse(e.values.fleet);
    if (!parsed.success) {
      problems.push(...zodProblems(e.file, parsed.error));
      continue;
    }
    const fleet: FleetConfig = parsed.data;
    const environment = stringAt(e.values, "environment");
    stacks.push({
      stack: e.stack,
      file: e.file,
      wave: fleet.wave,
      ...(fleet.group !== undefined ? { group: fleet.group } : {}),
      labels: { ...(environment !== undefined ? { environment } : {}), ...fleet.labels },
      platformName: stringAt(e.values, "name"),
      kubeContext: stringAt(e.values, "cluster", "context"),
      declared: declaredPlatform(e.values),
    });
  }
  const byName = new Map<string, FleetStack[]>();
  for (const s of stacks)
    if (s.platformName !== undefined) byName.set(s.platformName, [...(byName.get(s.platformName) ?? []), s]);
  for (const [name, same] of byName)
    if (same.length > 1)
      problems.push(
        `${same.map((s) => s.file).join(" and ")}: all set platform:name "${name}": two stacks would fight over one platform; give each its own name`,
      );
  for (const gap of waveGaps(stacks.map((s) => s.wave))) {
    const next = Math.min(...stacks.filter((s) => s.wave > gap).map((s) => s.wave));
    const files = stacks.filter((s) => s.wave === next).map((s) => s.file);
    problems.push(
      `wave ${gap} has no stack: waves run in order from 1 without gaps; put a stack in wave ${gap} or renumber wave ${next} (platform:fleet.wave in ${files.join(", ")})`,
    );
  }
  if (problems.length > 0) throw new InventoryError(problems);
  stacks.sort((a, b) => a.wave - b.wave || a.stack.localeCompare(b.stack));
  return { stacks, outside: outside.sort() };
}
