/**
 * The fleet at the sizes telcos run: for each N, a generated fleet of N EKS platforms (N copies of
 * Pulumi.dev.yaml and of gitops/clusters/de-dev, in a project of their own) and a fleet repository
 * with two tags, v1.0.0 and v1.1.0, between which one slice value of one platform changes. Then, as a
 * merge-request pipeline runs them: `gitops:lint` of the whole repository (its cache empty),
 * `gitops:diff v1.0.0 v1.1.0`, `fleet render` of every stack, `gitops:lint --changed-since v1.0.0`
 * (the one-platform change) and `gitops:lint` again (its cache warm). Each figure is the command's wall time (from its start
 * to its exit) and its peak memory (the largest resident set of the command or any of its children,
 * GNU time's %M), with the cost per platform.
 *
 *   npm run bench:scale -- [--sizes 10,100,1000] [--workers <n>] [--keep]
 *
 * `fleet render` runs the pool `fleet render` runs by default (one worker per core) unless --workers says.
 *
 * Prints figures only: nothing here asserts a time (docs/performance.md shows them).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { defaultWorkers } from "../../automation/fleet/argValues";
import { generateFleet } from "../../automation/fleet/generate";

const ROOT = path.resolve(__dirname, "..", "..");
const TEMPLATE_STACK = "dev";
const TEMPLATE_CLUSTER = "de-dev";
/** The slice whose value changes between the tags, and the change. */
const CHANGED = {
  file: "slices/1-def922/slice-vars.yaml",
  from: /DNN: "internet"/,
  to: 'DNN: "internet-v2"',
};

interface Figure {
  command: string;
  seconds: number;
  peakMiB: number;
  exit: number;
  stdout: string;
}

const TIME = "/usr/bin/time";

/** Runs `npm run <script> -- args` in the project, timed by GNU time (wall seconds, max RSS in KiB). */
function timed(label: string, script: string, args: string[], cwd: string, env = process.env): Figure {
  const report = path.join(os.tmpdir(), `bench-scale-${process.pid}-${label.replace(/\W+/g, "-")}.time`);
  const r = spawnSync(TIME, ["-f", "%e %M", "-o", report, "npm", "run", "-s", script, "--", ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env,
  });
  const [seconds, kib] = fs.readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  fs.rmSync(report, { force: true });
  const exit = r.status ?? 1;
  return { command: label, seconds, peakMiB: kib / 1024, exit, stdout: r.stdout };
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
      GIT_COMMITTER_NAME: "bench",
      GIT_COMMITTER_EMAIL: "bench@example.com",
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

/** Copies `from` to `to` with `clusters/de-dev` replaced by `clusters/<platform>` in every file. */
function copyCluster(from: string, to: string, platform: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyCluster(src, dst, platform);
    else
      fs.writeFileSync(
        dst,
        fs.readFileSync(src, "utf8").replaceAll(`clusters/${TEMPLATE_CLUSTER}`, `clusters/${platform}`),
      );
  }
}

/** The project (N stack files) and its fleet repository (two tags), under `dir`. */
export async function generate(
  dir: string,
  n: number,
): Promise<{ project: string; repo: string; changed: string }> {
  const project = path.join(dir, "project");
  const stacks = await generateFleet({
    projectDir: ROOT,
    template: TEMPLATE_STACK,
    count: n,
    targetDir: project,
  });
  const repo = path.join(project, "gitops");
  fs.cpSync(path.join(ROOT, "gitops"), repo, {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(ROOT, "gitops", "clusters") + path.sep),
  });
  const template = path.join(ROOT, "gitops", "clusters", TEMPLATE_CLUSTER);
  const platforms = stacks.map((s) => `gen-${s}`);
  for (const p of platforms) copyCluster(template, path.join(repo, "clusters", p), p);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "fleet");
  git(repo, "tag", "v1.0.0");
  // One slice value of one platform (the middle one) changes.
  const changed = platforms[Math.floor(n / 2)];
  const file = path.join(repo, "clusters", changed, CHANGED.file);
  const text = fs.readFileSync(file, "utf8");
  if (!CHANGED.from.test(text))
    throw new Error(`${CHANGED.file} has no ${CHANGED.from}: update the benchmark`);
  fs.writeFileSync(file, text.replace(CHANGED.from, CHANGED.to));
  git(repo, "commit", "-q", "-am", "one slice value");
  git(repo, "tag", "v1.1.0");
  git(repo, "checkout", "-q", "v1.1.0");
  return { project, repo, changed };
}

const row = (n: number, f: Figure) =>
  `| ${n.toLocaleString("en")} | ${f.command} | ${f.seconds.toFixed(1)} s | ${((f.seconds * 1000) / n).toFixed(1)} ms | ${f.peakMiB.toFixed(0)} MiB | ${f.exit} |`;

async function main(argv: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "10,100,1000" },
      workers: { type: "string", default: String(defaultWorkers()) },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const usage = `usage: npm run bench:scale -- [--sizes 10,100,1000] [--workers ${defaultWorkers()}] [--keep]`;
  const sizes = o.sizes.split(",").map(Number);
  if (
    o.help ||
    !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 5000) ||
    !(Number(o.workers) >= 1)
  ) {
    console.log(usage);
    return o.help ? 0 : 2;
  }
  if (!fs.existsSync(TIME)) {
    console.error(`bench:scale: ${TIME} (GNU time) measures peak memory; install it: apt-get install time`);
    return 1;
  }
  console.log(
    `bench:scale on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log("| platforms | command | wall | per platform | peak memory | exit |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  let code = 0;
  for (const n of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-scale-${n}-`));
    try {
      const { project, repo, changed } = await generate(dir, n);
      // The Git-side tools' cache (docs/gitops.md), empty at the start: the first lint is a cold one.
      const env = { ...process.env, PLATFORM_GITOPS_CACHE: path.join(dir, "cache") };
      const figures = [
        timed(`gitops:lint (cold cache)`, "gitops:lint", [repo, "--project", project], ROOT, env),
        timed(
          `gitops:diff v1.0.0 v1.1.0`,
          "gitops:diff",
          ["v1.0.0", "v1.1.0", "--repo", repo, "--project", project, "--json"],
          ROOT,
          env,
        ),
        timed(
          `fleet render (${o.workers} worker${o.workers === "1" ? "" : "s"})`,
          "fleet",
          ["render", "--project", project, "--out", path.join(dir, "render"), "--workers", o.workers],
          ROOT,
        ),
        timed(
          `gitops:lint --changed-since v1.0.0`,
          "gitops:lint",
          [repo, "--project", project, "--changed-since", "v1.0.0"],
          ROOT,
          env,
        ),
        timed(`gitops:lint (warm cache)`, "gitops:lint", [repo, "--project", project], ROOT, env),
      ];
      for (const f of figures) console.log(row(n, f));
      // lint: 0 (clean); diff: 1 (exactly one platform changes); render: 0; the lints again: 0.
      const expected = [0, 1, 0, 0, 0];
      figures.forEach((f, i) => {
        if (f.exit !== expected[i]) {
          console.error(
            `bench:scale: ${f.command} at N=${n} exited ${f.exit}, expected ${expected[i]} (kept: ${dir})`,
          );
          code = 1;
        }
      });
      // The diff names exactly the changed platform, and no platform failed to build.
      const diff = JSON.parse(figures[1].stdout || "{}") as {
        platforms?: {
          platform: string;
          added: unknown[];
          removed: unknown[];
          renamed: unknown[];
          changed: unknown[];
          problems: string[];
        }[];
      };
      const changedPlatforms = (diff.platforms ?? [])
        .filter((p) => p.added.length + p.removed.length + p.renamed.length + p.changed.length > 0)
        .map((p) => p.platform);
      const problems = (diff.platforms ?? []).flatMap((p) => p.problems);
      if (changedPlatforms.join() !== changed || problems.length || diff.platforms?.length !== n) {
        console.error(
          `bench:scale: at N=${n} the diff covers ${diff.platforms?.length ?? 0} platforms and changes ${JSON.stringify(changedPlatforms)} (expected ${n} and only ${changed}); problems: ${problems.slice(0, 3).join("; ")}`,
        );
        code = 1;
      }
      if (code === 0 && n === sizes[0])
        console.log(`|   | (the changed platform is ${changed}; generated in ${dir}) | | | | |`);
    } finally {
      if (!o.keep && code === 0) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return code;
}

if (require.main === module) void main(process.argv.slice(2)).then((c) => (process.exitCode = c));
