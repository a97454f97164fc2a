/** The command line of `gitops:new-slice`: options, model variables and the line recorded in the files. */
import { MAX_SHARD_NAME, SHARD_KEY } from "../../../components/flux";
import { dnsLabelProblem, dnsSubdomainProblem } from "../../../components/k8sNames";
import { recordedCommandOf } from "../shared/command";
import { ScaffoldError } from "./model";

/** `--latency-ms` → `LATENCY_MS`. */
export function flagToVariable(flag: string): string {
  return flag.replace(/^--/, "").replace(/-/g, "_").toUpperCase();
}

export interface NewSliceArgs {
  cluster?: string;
  model?: string;
  repo?: string;
  namespace?: string;
  dependsOn?: string;
  /** Flux shard of the instance's Kustomization (label `sharding.fluxcd.io/key`). */
  shard?: string;
  /** GitRepository the instance's Kustomization pulls the model from: a subset of the root (flux.source.subsets). */
  source?: string;
  force: boolean;
  dryRun: boolean;
  /** Model variables, by name. */
  values: Record<string, string>;
}

const OPTIONS = ["cluster", "model", "repo", "namespace", "depends-on", "shard", "source"] as const;

/** Parse `--cluster x --model y --sst 1 --sd def922 --set KEY=VALUE …`: every other flag is a model variable. */
export function parseNewSliceArgs(argv: string[]): NewSliceArgs {
  const out: NewSliceArgs = { force: false, dryRun: false, values: {} };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--force") out.force = true;
    else if (arg === "--dry-run") out.dryRun = true;
    else if (arg.startsWith("--")) {
      const [flag, inline] = arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) {
        problems.push(`${flag} needs a value`);
        continue;
      }
      const name = flag.slice(2);
      const once = (what: string, previous: string | undefined) => {
        if (previous === undefined) return true;
        problems.push(`${what} is given twice ("${previous}" and "${value}"): give it once`);
        return false;
      };
      if ((OPTIONS as readonly string[]).includes(name)) {
        const field =
          name === "depends-on"
            ? "dependsOn"
            : (name as "cluster" | "model" | "repo" | "namespace" | "shard" | "source");
        if (once(flag, out[field])) out[field] = value;
      } else if (name === "set") {
        const eq = value.indexOf("=");
        if (eq < 1) problems.push(`--set ${value}: write --set KEY=VALUE`);
        else if (once(value.slice(0, eq), out.values[value.slice(0, eq)]))
          out.values[value.slice(0, eq)] = value.slice(eq + 1);
      } else if (once(`${flag} (${flagToVariable(flag)})`, out.values[flagToVariable(flag)]))
        out.values[flagToVariable(flag)] = value;
    } else problems.push(`unexpected argument "${arg}": values are given as --<variable> <value>`);
  }
  for (const [flag, v] of [
    ["--cluster", out.cluster],
    ["--namespace", out.namespace],
    ["--depends-on", out.dependsOn],
  ] as const)
    if (v !== undefined && dnsLabelProblem(v) !== undefined)
      problems.push(
        `${flag} ${v}: not a Kubernetes name (lower-case letters, digits and '-', at most 63)${flag === "--cluster" ? "; it names clusters/<platform>/ in the repository" : ""}`,
      );
  if (
    out.shard !== undefined &&
    (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(out.shard) || out.shard.length > MAX_SHARD_NAME)
  )
    problems.push(
      `--shard ${out.shard}: not a shard name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${MAX_SHARD_NAME}): it is the ${SHARD_KEY} label value and one of the platform's flux.install.scaling.shards`,
    );
  const sourceProblem = out.source === undefined ? undefined : dnsSubdomainProblem(out.source);
  if (sourceProblem)
    problems.push(
      `--source ${out.source}: ${sourceProblem}: it names a GitRepository in flux-system, one of the platform's flux.source.subsets`,
    );
  if (problems.length) throw new ScaffoldError(problems.join("\n"));
  return out;
}

/** The command line recorded in the files: without --repo, --dry-run and --force, values quoted for a shell. */
export const recordedCommand = (argv: string[]): string => recordedCommandOf("gitops:new-slice", argv);
