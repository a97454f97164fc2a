#!/usr/bin/env node
// Render speed beside the CDK synth of a comparable platform (the cdk-eks-blueprints peer), measured
// side by side in one run: the two alternate over several rounds, then medians, the ratio and peak
// memory are printed; then the fleet benchmark (fleet:bench-render) for local, dev and prod.
//
//   node scripts/bench/render.mjs [--rounds 7] [--stack dev] [--fleet 100] [--peer <dir>]
//
// The peer is copied from --peer (default ../shared/peers/cdk-blueprints beside the checkout, or $CDK_PEER_DIR) into
// node_modules/.cache/bench-cdk-peer, installed there from its own lock (npm ci) and built once.
// Prints figures only: no time is asserted anywhere. --fleet 0 skips the fleet benchmark.
import "../node-check.cjs";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
// The peer ships in the workplace's shared folder, beside the project's checkout (CI lays it there too).
const defaultPeer =
  process.env.CDK_PEER_DIR ??
  [path.resolve(root, "../shared/peers/cdk-blueprints"), "/work/shared/peers/cdk-blueprints"].find((d) =>
    existsSync(d),
  ) ??
  path.resolve(root, "../shared/peers/cdk-blueprints");
const { values: o } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" },
    stack: { type: "string", default: "dev" },
    fleet: { type: "string", default: "100" },
    peer: { type: "string", default: defaultPeer },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (o.help) {
  console.log(
    `usage: npm run bench:render -- [--rounds 7] [--stack dev] [--fleet 100] [--peer ${defaultPeer}]`,
  );
  process.exit(0);
}
const rounds = Number(o.rounds);
const fleet = Number(o.fleet);
if (!(rounds >= 1) || !(fleet >= 0)) {
  console.error("bench/render: --rounds must be ≥ 1 and --fleet ≥ 0");
  process.exit(2);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`,
    );
  return r;
}

/** Copy, install and build the peer unless its lock and sources are unchanged since the last run. */
function preparePeer() {
  if (!existsSync(path.join(o.peer, "package-lock.json"))) {
    console.error(`bench/render: no CDK peer at ${o.peer} (package-lock.json missing): pass --peer <dir>`);
    process.exit(2);
  }
  const dir = path.join(root, "node_modules/.cache/bench-cdk-peer");
  const stamp = (d) =>
    ["package-lock.json", "src/app.ts"]
      .map((f) => (existsSync(path.join(d, f)) ? readFileSync(path.join(d, f), "utf8") : ""))
      .join("\0");
  if (!existsSync(path.join(dir, "dist/app.js")) || stamp(dir) !== stamp(o.peer)) {
    console.log(`preparing the CDK peer in ${path.relative(root, dir)} (npm ci, tsc)…`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(o.peer, dir, { recursive: true });
    spawnSync("chmod", ["-R", "u+w", dir]);
    run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir });
    run(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir });
  }
  return dir;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Run a shell command once; wall seconds and peak memory (MiB) of its node process(es). */
function timed(command, cwd) {
  const peakFile = path.join(tmp, "peak");
  rmSync(peakFile, { force: true });
  const env = {
    ...process.env,
    BENCH_PEAK_FILE: peakFile,
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ""} --import ${pathToFileURL(path.join(import.meta.dirname, "peak.mjs")).href}`.trim(),
  };
  const t0 = performance.now();
  run("sh", ["-c", command], { cwd, env });
  const s = (performance.now() - t0) / 1000;
  const peaks = existsSync(peakFile) ? readFileSync(peakFile, "utf8").trim().split("\n").map(Number) : [0];
  return { s, mib: Math.max(...peaks) / 1024 };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "bench-render-"));
try {
  const peer = preparePeer();
  // Our side runs exactly what `npm run render` runs (without npm's own start-up, as the peer runs
  // `node dist/app.js` without npm); each round writes to a fresh folder.
  const renderScript = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.render;
  const ours = [];
  const theirs = [];
  timed(`${renderScript} ${o.stack} --out ${path.join(tmp, "warm")}`, root); // warm caches once
  timed("node dist/app.js", peer);
  for (let i = 0; i < rounds; i++) {
    theirs.push(timed("rm -rf cdk.out && node dist/app.js", peer));
    ours.push(timed(`${renderScript} ${o.stack} --out ${path.join(tmp, `r${i}`)}`, root));
    process.stdout.write(
      `round ${i + 1}/${rounds}: render ${ours[i].s.toFixed(2)} s, cdk synth ${theirs[i].s.toFixed(2)} s\n`,
    );
  }
  const [ms, ps] = [median(ours.map((r) => r.s)), median(theirs.map((r) => r.s))];
  const [mm, pm] = [median(ours.map((r) => r.mib)), median(theirs.map((r) => r.mib))];
  console.log(
    `\nrender ${o.stack}: ${ms.toFixed(2)} s median, peak ${mm.toFixed(0)} MiB\n` +
      `cdk synth (peer): ${ps.toFixed(2)} s median, peak ${pm.toFixed(0)} MiB\n` +
      `ratio render/synth: ${(ms / ps).toFixed(2)}× (${rounds} rounds, alternated; target ≤ 1.2×)`,
  );
  if (fleet > 0) {
    console.log(`\nfleet render, ${fleet} copies of each template (fleet:bench-render):`);
    const r = spawnSync("npm", ["run", "-s", "fleet:bench-render", "--", "all", String(fleet)], {
      cwd: root,
      stdio: "inherit",
    });
    process.exitCode = r.status ?? 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
