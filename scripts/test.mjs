#!/usr/bin/env node
// `npm test`: typecheck (program and policy pack), ESLint, Prettier and Jest. The static checks run
// one after another beside Jest (two cores: one for the checks, Jest's workers share the other), each
// phase's output is printed when it ends, with its wall time, and the run closes with one line
// "N passed, N failed, N skipped" (Jest's counts) and the total time.
import "./node-check.cjs";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Programs the tests need that npm cannot install, checked before anything runs. shellcheck has no
// npm-provided equivalent that works here: the npm package `shellcheck` only downloads the binary
// from GitHub (no network beyond the registries), and `sh -n` checks syntax, not shellcheck's rules.
const PROGRAMS = [
  {
    name: "shellcheck",
    neededBy: "the bare-metal install script tests and scripts/node-env.sh's test",
    install: () =>
      existsSync("/etc/debian_version")
        ? process.getuid?.() === 0
          ? "apt-get update && apt-get install -y shellcheck"
          : "sudo apt-get update && sudo apt-get install -y shellcheck"
        : spawnSync("brew", ["--version"]).status === 0
          ? "brew install shellcheck"
          : existsSync("/etc/fedora-release") || existsSync("/etc/redhat-release")
            ? "sudo dnf install -y ShellCheck"
            : "install ShellCheck from your package manager (https://github.com/koalaman/shellcheck#installing)",
  },
];
const missing = PROGRAMS.filter((p) => spawnSync(p.name, ["--version"]).error);
if (missing.length) {
  for (const p of missing)
    console.error(
      `npm test: ${p.name} is not installed (needed by ${p.neededBy}). Install it with:\n\n  ${p.install()}\n`,
    );
  console.error("Nothing was run. Install the above, then run npm test again.");
  process.exit(1);
}
// The preflight's own test stops here, so it can never start the suite inside the suite.
if (process.env.PLATFORM_TEST_PREFLIGHT_ONLY === "1") process.exit(0);

const bin = (name) => path.join("node_modules", ".bin", name);
const tmp = mkdtempSync(path.join(tmpdir(), "platform-test-"));
const jestJson = path.join(tmp, "jest.json");

function run(label, cmd, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `\n=== ${label}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} in ${seconds} s\n`,
      );
      if (code !== 0 || label === "jest") process.stdout.write(out);
      resolve({ label, code, seconds });
    });
  });
}

async function staticChecks() {
  const results = [];
  for (const [label, cmd, args] of [
    ["typecheck", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]],
    // Content-keyed caches in node_modules/.cache (the program's tsconfig.json names its own): a
    // fresh clone (CI) always runs the full checks, a second run checks only what changed.
    [
      "typecheck policy",
      bin("tsc"),
      [
        "--noEmit",
        "-p",
        "policy",
        "--incremental",
        "--tsBuildInfoFile",
        "node_modules/.cache/policy.tsbuildinfo",
      ],
    ],
    [
      "eslint",
      bin("eslint"),
      [
        "--max-warnings",
        "0",
        "--cache",
        "--cache-strategy",
        "content",
        "--cache-location",
        "node_modules/.cache/eslint/",
        ".",
      ],
    ],
    ["prettier", bin("prettier"), ["--check", "--cache", "--cache-strategy", "content", "."]],
  ])
    results.push(await run(label, cmd, args));
  return results;
}

const started = Date.now();
const [checks, jest] = await Promise.all([
  staticChecks(),
  run("jest", bin("jest"), ["--json", "--outputFile", jestJson, ...process.argv.slice(2)]),
]);
let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 };
try {
  counts = JSON.parse(readFileSync(jestJson, "utf8"));
} catch {
  // jest did not get as far as writing its report; its output above says why
}
rmSync(tmp, { recursive: true, force: true });
const failed = [...checks, jest].filter((r) => r.code !== 0).map((r) => r.label);
const total = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `\nnpm test: ${[...checks, jest].map((r) => `${r.label} ${r.seconds} s`).join(", ")}; total ${total} s wall` +
    (failed.length ? `; FAILED: ${failed.join(", ")}` : ""),
);
console.log(
  `${counts.numPassedTests} passed, ${counts.numFailedTests} failed, ${counts.numPendingTests} skipped`,
);
process.exit(failed.length ? 1 : 0);
