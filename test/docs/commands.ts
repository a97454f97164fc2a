// The commands the docs show, and how each one is proven: run by this file in CI (`npm run
// test:docs`, from .ci/run), run by .ci/run itself, or listed below as needing what CI cannot have.
//
// A command is a line of a fenced `sh`/`bash`/`shell` block of README.md, CONTRIBUTING.md or
// docs/*.md (a trailing `\` joins lines; a `#` comment after the command is dropped). A comment
// `# exits N` says the command is expected to exit N (e.g. a check that shows a violation), and
// `prints "…"` in it names a line the command's output must contain (a count the page states).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export interface DocCommand {
  /** Page, relative to the project root. */
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  command: string;
  /** Exit code the page says to expect (`# exits N`); 0 otherwise. */
  expectExit: number;
  /** What the page says the output contains (`prints "…"` in the comment), each checked. */
  expectPrints?: string[];
}

/** Commands that need what no CI machine here has: a reason each. Matched against the whole command. */
export const NOT_RUN_IN_CI: { pattern: RegExp; why: string }[] = [
  { pattern: /^(kind|k3d|minikube|kubectl) /, why: "needs a real cluster (Docker for kind/k3d)" },
  {
    pattern:
      /^(pulumi|PULUMI_K8S_DELETE_UNREACHABLE=true pulumi |export AWS_PROFILE=|export PULUMI_CONFIG_PASSPHRASE=)/,
    why: "a real deployment: the Pulumi CLI with your backend and credentials (the end-to-end tests run the same engine against a local control plane)",
  },
  {
    pattern: /^npm run fleet -- (preview|up|refresh|destroy|outputs|status)\b/,
    why: "drives real stacks with their clusters and backend; the driver is proven by test/unit/fleet, the fleet integration test and the end-to-end fleet run",
  },
  { pattern: /^npm ci --prefix policy$/, why: "run by the policy parity script's own set-up" },
  { pattern: /^bash \.ci\/run$/, why: "this is CI itself" },
  {
    pattern: /^npm run test:e2e:slices -- --slices (300|1000)\b/,
    why: "the cluster-side scale e2e at sizes that take far longer on 2 cores; .ci/run runs the same script at --slices 100",
  },
  {
    pattern: /^npm run gitops:diff -- v1\.0\.0 main\b/,
    why: "needs a fleet repository with those tags: test/integration/gitops/docs.test.ts runs every command of docs/gitops.md in one",
  },
];

const SHELL_FENCE = /^```(sh|bash|shell)\s*$/;

/** The pages whose commands count: README.md, CONTRIBUTING.md and every docs/*.md. */
export function docPages(root: string): string[] {
  const docs = existsSync(path.join(root, "docs"))
    ? readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ["README.md", "CONTRIBUTING.md", ...docs].filter((f) => existsSync(path.join(root, f)));
}

/** Every command of the fenced shell blocks of one page's text. */
export function extractCommands(file: string, text: string): DocCommand[] {
  const out: DocCommand[] = [];
  let inShell = false;
  let inFence = false;
  let pending: { line: number; parts: string[] } | undefined;
  text.split("\n").forEach((raw, i) => {
    if (/^```/.test(raw)) {
      if (inFence) {
        inFence = inShell = false;
      } else {
        inFence = true;
        inShell = SHELL_FENCE.test(raw);
      }
      return;
    }
    if (!inShell) return;
    const trimmed = raw.trim();
    if (!pending && (trimmed === "" || trimmed.startsWith("#"))) return;
    const piece = trimmed.replace(/^\$ /, "");
    if (piece.endsWith("\\")) {
      pending = {
        line: pending?.line ?? i + 1,
        parts: [...(pending?.parts ?? []), piece.slice(0, -1).trim()],
      };
      return;
    }
    const whole = [...(pending?.parts ?? []), piece].join(" ");
    const line = pending?.line ?? i + 1;
    pending = undefined;
    const hash = whole.search(/\s#\s/);
    const command = (hash === -1 ? whole : whole.slice(0, hash)).trim();
    const comment = hash === -1 ? "" : whole.slice(hash);
    const exits = /#.*\bexits (\d+)\b/.exec(comment);
    const prints = [...comment.matchAll(/\bprints "([^"]+)"/g)].map((m) => m[1]);
    out.push({
      file,
      line,
      command,
      expectExit: exits ? Number(exits[1]) : 0,
      ...(prints.length ? { expectPrints: prints } : {}),
    });
  });
  return out;
}

export function allCommands(root: string): DocCommand[] {
  return docPages(root).flatMap((f) => extractCommands(f, readFileSync(path.join(root, f), "utf8")));
}

/** Why one part of a command (`a && b` has two) is not run by the docs runner, or undefined when it is. */
export function notRunReason(part: string, ciScript: string): string | undefined {
  const excused = NOT_RUN_IN_CI.find((e) => e.pattern.test(part));
  if (excused) return excused.why;
  const ranByCi = ciScript
    .split("\n")
    .map((l) => l.trim())
    .some((l) => l === part || l.startsWith(`${part} `));
  return ranByCi ? "run by .ci/run" : undefined;
}

/** The parts of a command the docs runner runs itself, joined again with `&&`. */
export function partsToRun(command: string, ciScript: string): string {
  return command
    .split(" && ")
    .filter((p) => notRunReason(p.trim(), ciScript) === undefined)
    .join(" && ");
}

/** Runs every command the runner owns in a scratch copy of the project; prints N passed, N failed. */
function main(): number {
  const root = path.resolve(__dirname, "..", "..");
  const ci = readFileSync(path.join(root, ".ci", "run"), "utf8");
  const scratch = mkdtempSync(path.join(tmpdir(), "platform-docs-"));
  const tracked = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).stdout.split("\0");
  for (const f of tracked.filter(Boolean)) {
    if (existsSync(path.join(root, f)))
      cpSync(path.join(root, f), path.join(scratch, f), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"));
  // A repository of its own (one commit on main), for the commands that read Git history.
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["-c", "user.name=docs", "-c", "user.email=docs@example.invalid", "commit", "-q", "-m", "docs"],
  ])
    spawnSync("git", args, { cwd: scratch });
  let passed = 0;
  let failed = 0;
  const seen = new Set<string>();
  try {
    for (const c of allCommands(root)) {
      const toRun = partsToRun(c.command, ci);
      if (toRun === "") {
        const why = c.command.split(" && ").map((p) => notRunReason(p.trim(), ci));
        console.log(
          `-   ${c.file}:${c.line}  ${c.command}\n    not run here: ${[...new Set(why)].join("; ")}`,
        );
        continue;
      }
      if (seen.has(toRun)) continue;
      seen.add(toRun);
      const started = Date.now();
      const r = spawnSync("bash", ["-c", toRun], {
        cwd: scratch,
        encoding: "utf8",
        timeout: 300_000,
        env: { ...process.env, FORCE_COLOR: "0" },
      });
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      // Every command starts from the repository as committed, as a reader's would: what one wrote
      // (a scaffolded slice) is not left for the next to find (gitops:publish refuses a dirty tree).
      spawnSync("git", ["checkout", "-q", "--", "."], { cwd: scratch });
      spawnSync("git", ["clean", "-fdq"], { cwd: scratch });
      const missing = (c.expectPrints ?? []).filter((p) => !`${r.stdout}${r.stderr}`.includes(p));
      if (r.status === c.expectExit && !missing.length) {
        passed++;
        console.log(`ok  ${c.file}:${c.line}  ${toRun}  (exit ${r.status}, ${secs} s)`);
      } else {
        failed++;
        console.log(
          `FAIL ${c.file}:${c.line}  ${toRun}  (exit ${r.status ?? r.signal}, expected ${c.expectExit}` +
            `${missing.map((m) => `; does not print "${m}"`).join("")}, ${secs} s)\n` +
            `${r.stdout}${r.stderr}`.split("\n").slice(-25).join("\n"),
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`docs commands: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
