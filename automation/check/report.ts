/** The printed report of an offline check: violations grouped by level, mandatory first. */
import * as path from "node:path";
import type { CheckResult } from "./result";

/** Human-readable report; `cwd` makes the config path relative for display. */
export function formatReport(r: CheckResult, cwd = process.cwd()): string {
  const config = r.policyConfig ? path.relative(cwd, r.policyConfig) : "none (the policies' default levels)";
  const lines = [
    `check ${r.stack} (environment ${r.environment}, policy config ${config}): ${r.policies} policies over ${r.resources} resources`,
  ];
  for (const level of ["mandatory", "advisory"] as const) {
    const found = r.violations.filter((v) => v.level === level);
    lines.push(`${level}: ${found.length}`);
    for (const v of found) {
      const where = v.resource ? `${v.resource.name} (${v.resource.type})` : "(stack)";
      lines.push(`  - [${v.policy}, ${v.severity}] ${where}`, `      ${v.message}`);
    }
  }
  const advisory = r.violations.length - r.violations.filter((v) => v.level === "mandatory").length;
  lines.push(
    r.passed
      ? `passed${advisory ? ` with ${advisory} advisory finding${advisory === 1 ? "" : "s"}` : ""}`
      : `FAILED: ${r.violations.length - advisory} mandatory violation${r.violations.length - advisory === 1 ? "" : "s"}`,
  );
  return lines.join("\n");
}
