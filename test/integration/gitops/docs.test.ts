/**
 * Every command docs/gitops.md shows is run here as written: the `sh` blocks in a sandbox project
 * (a Git repository with the stack files and the template fleet repository, tagged v1.0.0, then
 * changed on main), and the merge-request job's lint and diff lines in the project with a tagged
 * copy of the template as the fleet repository. Not run: the job's clone, `npm ci` and `curl`.
 * Each command is an npm process starting the program, seconds each: `npm run test:integration`.
 * That these are the page's commands is checked in test/unit/gitops/docs.test.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveKustomize } from "../../../automation/gitops";
import { documented, ROOT } from "../../helpers/gitopsDocs";
import { edit, SHIPPED, templateDiffRows } from "../../unit/gitops/helpers";

/** A Git repository of `dir`: tag v1.0.0, then the changes, tagged v1.1.0, on main. */
function gitRepo(dir: string, changes: (dir: string) => void) {
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "v1.0.0");
  git("tag", "v1.0.0");
  changes(dir);
  git("commit", "-q", "-am", "change");
  git("tag", "v1.1.0");
}

/** local logs more, de-prod runs more replicas. */
function change(fleetDir: string) {
  edit(fleetDir, "clusters/local/network-functions/upf-values.yaml", "logLevel: debug", "logLevel: trace");
  edit(fleetDir, "clusters/de-prod/network-functions/upf-values.yaml", "replicas: 3", "replicas: 4");
}

/** Run a command line with bash; stdout without npm's `> script` banner. */
function run(command: string, cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync("bash", ["-c", command], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { ...r, stdout: r.stdout.replace(/^\n?(> .*\n)+\n/, "") };
}

describe("docs/gitops.md", () => {
  const { sh, job } = documented();
  let sandbox: string;
  let fleet: string;
  beforeAll(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "docs-project-"));
    for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*yaml$|^Pulumi\.yaml$/.test(f)))
      fs.copyFileSync(path.join(ROOT, f), path.join(sandbox, f));
    fs.cpSync(SHIPPED, path.join(sandbox, "gitops"), { recursive: true });
    for (const f of [
      "package.json",
      "node_modules",
      "cli",
      "automation",
      "stacks",
      "components",
      "scripts",
      "tsconfig.json",
    ])
      fs.symlinkSync(path.join(ROOT, f), path.join(sandbox, f));
    fs.writeFileSync(
      path.join(sandbox, ".gitignore"),
      "/package.json\n/node_modules\n/cli\n/automation\n/stacks\n/components\n/scripts\n/tsconfig.json\n",
    );
    gitRepo(sandbox, (dir) => change(path.join(dir, "gitops")));
    fleet = fs.mkdtempSync(path.join(os.tmpdir(), "docs-fleet-"));
    fs.cpSync(SHIPPED, fleet, { recursive: true });
    gitRepo(fleet, change);
  });
  afterAll(() => {
    fs.rmSync(sandbox, { recursive: true, force: true });
    fs.rmSync(fleet, { recursive: true, force: true });
  });

  it("kustomize.sh prints the kustomize the commands use", () => {
    const r = run(sh[0], sandbox);
    expect([r.status, r.stdout.trim()]).toEqual([0, resolveKustomize().bin]);
  });

  it("gitops:lint finds nothing in the template", () => {
    const r = run(sh[1], sandbox);
    expect([r.status, r.stdout]).toEqual([0, ""]);
    expect(r.stderr).toMatch(/\n0 findings in \d+ files \(\d+ ms\)\n$/);
  });

  it("gitops:diff v1.0.0 main shows local's new values and nothing for the pinned platforms", () => {
    const r = run(sh[2], sandbox);
    expect(r.status).toBe(1);
    const rows = templateDiffRows(r.stdout);
    expect(rows).toEqual([
      "| de-dev | semver >=1.0.0-0 | tag v1.0.0 (sha) → tag v1.1.0 (sha) | 0 | 0 | 0 | 0 |",
      "| de-prod | tag v1.0.0 | tag v1.0.0 (sha) on both sides: unchanged until its tag moves | 0 | 0 | 0 | 0 |",
      "| local | branch main | v1.0.0 (sha) → main (sha) | 1 | 1 | 0 | 1 |",
    ]);
  });

  it("gitops:diff --tag v1.1.0 shows what de-prod gets when its pin moves", () => {
    const r = run(sh[3], sandbox);
    expect(r.status).toBe(1);
    expect(templateDiffRows(r.stdout)[1]).toBe(
      "| de-prod | tag v1.0.0 | tag v1.0.0 (sha) → tag v1.1.0 (sha) | 1 | 1 | 0 | 1 |",
    );
    expect(r.stdout).toContain("| `spec.valuesFrom[0].name` |");
  });

  // Before new-slice, which leaves gitops/ with uncommitted files (publish refuses a dirty folder).
  it("gitops:publish --dry-run builds the fleet artifact and the chart from the committed tree", () => {
    const r = run(sh[5], sandbox);
    expect(r.status).toBe(0);
    const digest = "sha256:[0-9a-f]{64}  \\d+ bytes";
    expect(r.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^dry-run    oci://registry\\.example\\.com/acme/fleet:v1\\.2\\.0  +${digest}  \\(\\d+ files of gitops\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^dry-run    oci://registry\\.example\\.com/acme/charts/network-function:0\\.2\\.0  ${digest}  \\(4 files of gitops/charts/network-function\\)$`,
        ),
      ),
    ]);
    const sha = spawnSync("git", ["rev-parse", "HEAD"], { cwd: sandbox, encoding: "utf8" }).stdout.trim();
    expect(r.stderr).toContain(
      `revision v1.2.0@sha1:${sha}, source https://github.com/acme-telco/platform-fleet`,
    );
  });

  it("gitops:new-slice writes the instance, which lints clean", () => {
    const r = run(sh[4], sandbox);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(
      "wrote gitops/clusters/de-dev/slices/2-ab0002/slice.yaml\nwrote gitops/clusters/de-dev/slices/2-ab0002/slice-vars.yaml\ncheck it with: npm run gitops:lint\n",
    );
    expect(run(sh[1], sandbox).status).toBe(0);
  });

  it("the merge-request job's lint and diff lines pass on a tagged fleet repository", () => {
    const lines = job.filter((l) => l.startsWith("npm run"));
    expect(lines).toHaveLength(2);
    const base = spawnSync("git", ["rev-parse", "v1.0.0"], { cwd: fleet, encoding: "utf8" }).stdout.trim();
    const env = { CI_PROJECT_DIR: fleet, CI_MERGE_REQUEST_DIFF_BASE_SHA: base };
    const lint = run(lines[0], ROOT, env);
    expect([lint.status, lint.stdout]).toEqual([0, ""]);
    // The job writes diff.md into its working folder (the project): here into a scratch folder
    // instead, so nothing appears in the checkout while other checks (prettier) walk it.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "mr-diff-"));
    const line = lines[1].replace("> diff.md", `> ${path.join(out, "diff.md")}`);
    expect(line).not.toBe(lines[1]);
    const diff = run(line, ROOT, env);
    try {
      expect(diff.status).toBe(0);
      expect(fs.readFileSync(path.join(out, "diff.md"), "utf8")).toMatch(
        /^## gitops:diff [0-9a-f]{40} \([0-9a-f]{7}\) → working tree\n/,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
