/**
 * Which stacks a fleet run touches: selection by name, wave, group and labels, then a stable shard
 * of that selection for CI parallel jobs. Pure functions; errors are UsageErrors naming the flag.
 */
import { MAX_WAVE } from "../../stacks/schema/fleet";
import { stackNameProblem } from "../../stacks/stackName";
import type { FleetStack, Inventory } from "./inventory";

/** A selection or flag the user got wrong: printed without a stack trace. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

export interface Shard {
  /** 1-based, as CI_NODE_INDEX (GitLab) and a matrix index + 1 (GitHub) give it. */
  index: number;
  count: number;
}

export interface Selection {
  stacks?: string[];
  wave?: number;
  group?: string;
  labels?: Record<string, string>;
  shard?: Shard;
}

/** The most shards (CI jobs) a selection may be split into. */
export const MAX_SHARDS = 1000;

/** `--shard i/n` → {index, count}; 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new SelectionError(`--shard "${text}": expected i/n, e.g. 2/4 (the second of four jobs)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count > MAX_SHARDS)
    throw new SelectionError(
      `--shard "${text}": at most ${MAX_SHARDS} shards: each shard is a CI job of its own`,
    );
  if (count < 1) throw new SelectionError(`--shard "${text}": the number of shards must be at least 1`);
  if (index < 1 || index > count)
    throw new SelectionError(`--shard "${text}": the shard index must be between 1 and ${count}`);
  return { index, count };
}

/** `--label k=v,k2=v2` → {k: v, k2: v2}. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(part);
    if (!m)
      throw new SelectionError(`--label "${text}": expected key=value[,key=value], e.g. environment=prod`);
    if (m[1] in out) throw new SelectionError(`--label "${text}": label ${m[1]} is given twice`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `--stack a,b` → [a, b]; a name given twice is an error. */
export function parseStackList(text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.some((n) => n === ""))
    throw new SelectionError(`--stack "${text}": expected names separated by commas`);
  for (const n of names) {
    const problem = stackNameProblem(n);
    if (problem) throw new SelectionError(`--stack: ${problem}`);
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new SelectionError(`--stack "${text}": stack ${dup} is given twice`);
  return names;
}

/** `--wave N` → N ≥ 1. */
export function parseWave(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new SelectionError(`--wave "${text}": expected a wave number from 1`);
  if (Number(text) > MAX_WAVE)
    throw new SelectionError(`--wave "${text}": waves go from 1 to at most ${MAX_WAVE}`);
  return Number(text);
}

/** The stacks the selection names, in wave then name order (before sharding). */
export function selectStacks(inventory: Inventory, sel: Selection): FleetStack[] {
  const byName = new Map(inventory.stacks.map((s) => [s.stack, s]));
  const problems: string[] = [];
  for (const name of sel.stacks ?? []) {
    if (byName.has(name)) continue;
    if (inventory.outside.includes(name))
      problems.push(
        `stack ${name} is not in the fleet: Pulumi.${name}.yaml has no platform:fleet; add "platform:fleet:" with "wave: <n>" to it`,
      );
    else
      problems.push(
        `unknown stack ${name}: there is no Pulumi.${name}.yaml; fleet stacks are ${[...byName.keys()].join(", ") || "(none)"}`,
      );
  }
  const waves = [...new Set(inventory.stacks.map((s) => s.wave))];
  if (sel.wave !== undefined && !waves.includes(sel.wave))
    problems.push(
      `--wave ${sel.wave}: the fleet has waves ${waves.length ? `1 to ${Math.max(...waves)}` : "none"}`,
    );
  if (problems.length) throw new SelectionError(problems.join("\n"));
  const selected = inventory.stacks.filter(
    (s) =>
      (sel.stacks === undefined || sel.stacks.includes(s.stack)) &&
      (sel.wave === undefined || s.wave === sel.wave) &&
      (sel.group === undefined || s.group === sel.group) &&
      Object.entries(sel.labels ?? {}).every(([k, v]) => s.labels[k] === v),
  );
  if (selected.length === 0)
    throw new SelectionError(`the selection matched no stack (${describeSelection(sel)})`);
  return selected;
}

/**
 * Shard `index` of `count` of the stacks: round-robin over the (wave, name) order, so each job gets
 * an even share of every wave and the split only depends on the selection, never on timing.
 */
export function shardStacks<T extends Pick<FleetStack, "stack" | "wave">>(
  stacks: readonly T[],
  shard: Shard,
): T[] {
  const ordered = [...stacks].sort((a, b) => a.wave - b.wave || a.stack.localeCompare(b.stack));
  return ordered.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Selection then shard; a shard may be empty when there are more jobs than stacks. */
export function planStacks(inventory: Inventory, sel: Selection): FleetStack[] {
  const selected = selectStacks(inventory, sel);
  return sel.shard ? shardStacks(selected, sel.shard) : selected;
}

/** The stacks grouped by wave, waves ascending. */
export function groupWaves<T extends Pick<FleetStack, "wave">>(
  stacks: readonly T[],
): { wave: number; stacks: T[] }[] {
  const waves = [...new Set(stacks.map((s) => s.wave))].sort((a, b) => a - b);
  return waves.map((wave) => ({ wave, stacks: stacks.filter((s) => s.wave === wave) }));
}

/** One line describing a selection, for messages and reports. */
export function describeSelection(sel: Selection): string {
  const parts: string[] = [];
  if (sel.stacks) parts.push(`stacks ${sel.stacks.join(",")}`);
  if (sel.wave !== undefined) parts.push(`wave ${sel.wave}`);
  if (sel.group !== undefined) parts.push(`group ${sel.group}`);
  for (const [k, v] of Object.entries(sel.labels ?? {})) parts.push(`label ${k}=${v}`);
  if (sel.shard) parts.push(`shard ${sel.shard.index}/${sel.shard.count}`);
  return parts.length ? parts.join(", ") : "all fleet stacks";
}
