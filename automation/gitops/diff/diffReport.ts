/** gitops:diff as Markdown for a merge-request comment: a table of platforms, a collapsed detail per object. */
import { stringify } from "yaml";
import type { DiffObject, FieldChange, FleetDiff, PlatformDiff } from "./compare";
import type { Revision } from "../shared/git";

const rev = (r: Revision) => (r.commit ? `${r.label} (${r.commit.slice(0, 7)})` : r.label);
const code = (v: unknown) =>
  v === undefined ? "" : `\`${JSON.stringify(v).replace(/\|/g, "\\|").replace(/`/g, "'")}\``;
const where = (o: DiffObject) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
const source = (o: DiffObject) => `${o.file}, applied by Kustomization ${o.appliedBy}`;

function fieldTable(fields: FieldChange[]): string {
  return [
    "| field | from | to |",
    "| --- | --- | --- |",
    ...fields.map((f) => `| \`${f.path}\` | ${code(f.from)} | ${code(f.to)} |`),
  ].join("\n");
}

function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>\n`;
}

const yamlBlock = (o: Record<string, unknown>) => `\`\`\`yaml\n${stringify(o).trimEnd()}\n\`\`\``;

function counts(p: PlatformDiff): number {
  return p.added.length + p.removed.length + p.renamed.length + p.changed.length;
}

function revisions(p: PlatformDiff): string {
  if (p.from.commit && p.from.commit === p.to.commit)
    return p.pinned
      ? `${rev(p.to)} on both sides: unchanged until its ${p.follows.startsWith("tag") ? "tag moves" : "newest matching tag changes"}`
      : rev(p.to);
  return `${rev(p.from)} → ${rev(p.to)}`;
}

function platformSection(p: PlatformDiff): string {
  const parts = [`### ${p.platform}\n`];
  if (p.problems.length)
    parts.push(`Could not build everything:\n\n${p.problems.map((m) => `- ${m}`).join("\n")}\n`);
  for (const o of p.added) parts.push(details(`added ${where(o)} (${source(o)})`, yamlBlock(o.object)));
  for (const o of p.removed) parts.push(details(`removed ${where(o)} (${source(o)})`, yamlBlock(o.object)));
  for (const r of p.renamed)
    parts.push(details(`renamed ${where(r.from)} → ${r.to.name} (${source(r.to)})`, fieldTable(r.fields)));
  for (const o of p.changed)
    parts.push(
      details(
        `changed ${where(o)}: ${o.fields.length} field${o.fields.length === 1 ? "" : "s"} (${source(o)})`,
        fieldTable(o.fields),
      ),
    );
  return parts.join("\n");
}

/**
 * A platform's tree could not be built (at one side or both): the diff is incomplete (exit 2). A stack
 * file that cannot be read is not: its platform is built with the assumed cluster-vars, and said so.
 */
export function incomplete(diff: FleetDiff): boolean {
  return diff.platforms.some((p) => p.problems.length > 0);
}

/** The platforms not built because no file their trees read changed, one line per reason. */
function skippedLines(diff: FleetDiff): string[] {
  const byReason = new Map<string, string[]>();
  for (const p of diff.platforms)
    if (p.skipped) byReason.set(p.skipped, [...(byReason.get(p.skipped) ?? []), p.platform]);
  return [...byReason].flatMap(([reason, names]) => [
    `Skipped as unchanged, not built (${reason}): ${names.join(", ")}.`,
    "",
  ]);
}

/** The Markdown report. */
export function diffMarkdown(diff: FleetDiff): string {
  const changed = diff.platforms.filter((p) => counts(p) > 0 || p.problems.length);
  const lines = [
    `## gitops:diff ${rev(diff.from)} → ${rev(diff.to)}`,
    "",
    "| platform | follows | revisions | added | removed | renamed | changed |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ...diff.platforms.map(
      (p) =>
        `| ${p.platform} | ${p.follows} | ${revisions(p)} | ${p.added.length} | ${p.removed.length} | ${p.renamed.length} | ${p.changed.length} |`,
    ),
    "",
    ...skippedLines(diff),
    ...diff.problems.map((m) => `- stack file: ${m}`),
    ...(diff.problems.length ? [""] : []),
    ...(incomplete(diff)
      ? [
          `**Incomplete**: ${diff.platforms.filter((p) => p.problems.length).length} of ${diff.platforms.length} platforms could not be built completely (below), so what they get is not known.`,
          "",
        ]
      : []),
    diff.changed
      ? `Changes for ${diff.platforms.filter((p) => counts(p) > 0).length} of ${diff.platforms.length} platforms.`
      : incomplete(diff)
        ? "No change in what could be built."
        : `No platform gets any change.`,
    "",
  ];
  return [lines.join("\n"), ...changed.map(platformSection)].join("\n");
}
