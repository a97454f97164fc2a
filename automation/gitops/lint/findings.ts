/**
 * The lint's findings once every platform is walked: one per file, line and message, and a hint on
 * those that come from cluster-vars assumed for a platform without a stack file.
 */
import type { Finding } from "../shared/manifests";

/** One finding per file, line and message; the platforms a shared file fails on are listed together. */
export function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const k = `${f.file}:${f.line}:${f.rule}:${f.message}`;
    const seen = byKey.get(k);
    if (!seen) byKey.set(k, { ...f });
    else if (f.platform && !seen.platform?.split(", ").includes(f.platform))
      seen.platform = [...(seen.platform?.split(", ") ?? []), f.platform].sort().join(", ");
  }
  return [...byKey.values()];
}

/**
 * A missing cluster-vars key of a platform without a stack file: the repository is not necessarily
 * wrong, the assumption may be. Say so, and how to check against the real cluster-vars.
 */
export function assumedHint(f: Finding, platform: string, projectDir: string): Finding {
  const m =
    /^(\$\{(\w+)\} has no value: .* substitutes from .*ConfigMap cluster-vars.* and none has \w+); add it there or give it a default .*$/.exec(
      f.message,
    );
  if (!m) return f;
  return {
    ...f,
    message: `${m[1]}: no stack file in ${projectDir} defines platform ${platform}, so its cluster-vars are assumed; pass --project <dir with its Pulumi.<stack>.yaml>, or --vars ${m[2]} if the platform has it, or give it a default (\${${m[2]}:=value})`,
  };
}
