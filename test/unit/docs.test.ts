import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CLUSTER_VARS } from "../../components/flux/clusterVars";
import {
  allCommands,
  docPages,
  extractCommands,
  NOT_RUN_IN_CI,
  notRunReason,
  partsToRun,
} from "../docs/commands";

const root = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** Table rows of a page, as trimmed cells, whose first cell matches `first`. */
function rows(page: string, first: RegExp): string[][] {
  return read(page)
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => first.test(cells[0]));
}

describe("docs", () => {
  it("documents every cluster-vars key exactly as the contract defines it, and no other", () => {
    expect(rows("docs/cluster-vars.md", /^`[A-Z_]+`$/)).toEqual(
      Object.entries(CLUSTER_VARS).map(([k, v]) => [`\`${k}\``, v.presentWhen, v.description]),
    );
  });

  const pages = docPages(root);
  const scripts = Object.keys(
    (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts,
  );

  it("mentions every npm script a user runs, in the README or a docs page", () => {
    const text = pages.map(read).join("\n");
    const missing = scripts
      .filter((s) => !/^(pre|post|lint|format|typecheck)/.test(s))
      .filter((s) => !text.includes(s === "test" ? "npm test" : `npm run ${s}`));
    expect(missing).toEqual([]);
  });

  it("shows only npm scripts that exist", () => {
    const unknown = allCommands(root).flatMap((c) =>
      [...c.command.matchAll(/npm run ([\w:.-]+)/g)]
        .map((m) => m[1])
        .filter((s) => !scripts.includes(s))
        .map((s) => `${c.file}:${c.line}: npm run ${s}`),
    );
    expect(unknown).toEqual([]);
  });

  it("excuses from CI only commands the docs still show", () => {
    const commands = allCommands(root).flatMap((c) => c.command.split(" && ").map((p) => p.trim()));
    const stale = NOT_RUN_IN_CI.filter((e) => !commands.some((c) => e.pattern.test(c))).map((e) =>
      String(e.pattern),
    );
    expect(stale).toEqual([]);
  });

  it("links only to files that exist", () => {
    const broken = pages.flatMap((page) =>
      // Code spans are not links (a regular expression such as `^[a-z]([a-z0-9-]*)$` looks like one).
      [
        ...read(page)
          .replace(/`[^`\n]*`/g, "")
          .matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g),
      ]
        .map((m) => m[1])
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(path.join(root, path.dirname(page), target)))
        .map((target) => `${page} → ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it("keeps the README short", () => {
    expect(Buffer.byteLength(read("README.md"))).toBeLessThanOrEqual(12 * 1024);
  });
});

describe("extractCommands", () => {
  it("reads shell blocks only, joins continued lines, drops comments and keeps the expected exit code and output", () => {
    const text = [
      "```yaml",
      "a: 1",
      "```",
      "```sh",
      "# a comment line",
      "npm run render -- local     # the main job",
      "npm run check -- bad \\",
      "  --project x   # exits 1",
      'npm run check -- worse   # exits 1, prints "FAILED: 7 mandatory violations"',
      "",
      "$ npm test",
      "```",
    ].join("\n");
    expect(extractCommands("p.md", text)).toEqual([
      { file: "p.md", line: 6, command: "npm run render -- local", expectExit: 0 },
      { file: "p.md", line: 7, command: "npm run check -- bad --project x", expectExit: 1 },
      {
        file: "p.md",
        line: 9,
        command: "npm run check -- worse",
        expectExit: 1,
        expectPrints: ["FAILED: 7 mandatory violations"],
      },
      { file: "p.md", line: 11, command: "npm test", expectExit: 0 },
    ]);
  });

  it("runs the parts of a command CI does not run already, and excuses what needs a real cluster", () => {
    const ci = "npm ci --no-audit --no-fund\nnpm test\n";
    expect(partsToRun("npm ci && npm run render -- local", ci)).toBe("npm run render -- local");
    expect(partsToRun("npm ci && npm test", ci)).toBe("");
    expect(notRunReason("kubectl -n flux-system get kustomizations", ci)).toMatch(/real cluster/);
    expect(notRunReason("npm run gitops:lint -- gitops", ci)).toBeUndefined();
  });
});
