/**
 * The fleet inventory: which platform stacks exist and in which rollout wave, read from the
 * `platform:fleet` key of the stack files themselves (one source of truth, reviewed with the stack).
 * Pure: the caller reads the stack files (automation/fleet/inventoryFile.ts) and hands their values in.
 */
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
