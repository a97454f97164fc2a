/**
 * gitops:lint with the project's stack files: a broken one is reported at its line and the others
 * go on; two stacks of one platform are reported; an unknown --prod is refused; stack-file findings
 * are labelled with the project's path; without stack files the findings say the cluster-vars were
 * assumed and how to pass --project.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import {
  formatFinding,
  lintFleet,
  LintError,
  type FleetDiff,
  type LintResult,
} from "../../../automation/gitops";
import { SHIPPED } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");
/** tsx's loader, by URL: the CLI runs in another directory than the project. */
const TSX = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

describe("gitops:lint and the project's stack files", () => {
  let project: string;
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "lint-project-"));
    fs.cpSync(SHIPPED, path.join(project, "gitops"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), path.join(project, "Pulumi.local.yaml"));
    // A second stack of platform local.
    fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), path.join(project, "Pulumi.local2.yaml"));
    // A prod stack whose install manifests file does not exist: its render fails.
    const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    const broken = prod.replace(
      "    install:\n      mode: manifests\n",
      "    install:\n      mode: manifests\n      manifests:\n        file: nope/install.yaml\n",
    );
    if (broken === prod) throw new Error("test setup: Pulumi.prod.yaml has no flux install block");
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), broken);
    for (const args of [
      ["init", "-q", "-b", "main"],
      ["add", "-A"],
      ["commit", "-q", "-m", "fleet"],
    ])
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: project });
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  // Run as the user runs it: the broken render fails inside the offline engine, outside any promise
  // the lint awaits, which only a real process (not a test worker) shows.
  it("reports the broken stack at its line, the duplicate platform, and checks every platform", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", TSX, path.join(ROOT, "cli/gitops-lint.ts"), "gitops", "--json"],
      { cwd: project, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as LintResult;
    const prodLine =
      fs
        .readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8")
        .split("\n")
        .indexOf("        file: nope/install.yaml") + 1;
    expect(
      result.findings.filter((f) => f.rule === "stack").map((f) => formatFinding(f, "gitops/", "./")),
    ).toEqual([
      "./Pulumi.local2.yaml:6: [stack] stack local2 defines platform local, and so does Pulumi.local.yaml: clusters/local is checked against Pulumi.local.yaml only; give each stack its own platform:name",
      `./Pulumi.prod.yaml:${prodLine}: [stack] stack prod does not render: flux.install.manifests.file: cannot read nope/install.yaml: ENOENT; platform de-prod is checked with the cluster-vars keys of the contract table`,
    ]);
    expect(result.platforms).toEqual([
      { platform: "de-dev", origin: "the contract's always-present keys and --vars" },
      { platform: "de-prod", origin: "Pulumi.prod.yaml (contract table; the render failed)" },
      { platform: "local", origin: "Pulumi.local.yaml (render)" },
    ]);
  });

  it("gitops:diff reports the broken stack file too, and compares every platform", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", TSX, path.join(ROOT, "cli/gitops-diff.ts"), "HEAD", "--json"],
      {
        cwd: project,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    // de-prod follows tag v1.0.0, which this repository does not have: its tree cannot be built, exit 2.
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^gitops:diff: 3 platforms, 0 with changes, 2 skipped as unchanged \(\d+ ms\)\ngitops:diff: incomplete: 1 platform could not be built completely; fix what the report lists \(npm run gitops:lint names the file and line\)\n$/,
    );
    const diff = JSON.parse(run.stdout) as FleetDiff;
    expect(diff.problems.map((p) => p.replace(/:\d+: /, ":<line>: "))).toEqual([
      "Pulumi.local2.yaml:<line>: stack local2 defines platform local, and so does Pulumi.local.yaml: clusters/local is checked against Pulumi.local.yaml only; give each stack its own platform:name",
      "Pulumi.prod.yaml:<line>: stack prod does not render: flux.install.manifests.file: cannot read nope/install.yaml: ENOENT; platform de-prod is checked with the cluster-vars keys of the contract table",
    ]);
    expect(diff.platforms.map((p) => `${p.platform}: ${p.follows}`)).toEqual([
      "de-dev: the refs (no stack file)",
      "de-prod: tag v1.0.0",
      "local: branch main",
    ]);
  });

  it("refuses a --prod platform the repository does not have", async () => {
    await expect(
      lintFleet(path.join(project, "gitops"), { prodPlatforms: ["nosuch"], contracts: new Map() }),
    ).rejects.toThrow(
      new LintError(
        `--prod nosuch: no such platform in ${path.join(project, "gitops")} (its platforms: de-dev, de-prod, local); name platforms that have a clusters/<platform>/ directory`,
      ),
    );
  });

  it("refuses a repository directory that does not exist", async () => {
    await expect(lintFleet("/nope")).rejects.toThrow(
      new LintError(
        "/nope is not a directory: pass the fleet repository's directory (npm run gitops:lint -- <dir>, default gitops)",
      ),
    );
  });
});

describe("gitops:lint outside the project", () => {
  it("says the cluster-vars are assumed and how to pass --project", async () => {
    const alone = fs.mkdtempSync(path.join(os.tmpdir(), "lint-alone-"));
    try {
      fs.cpSync(SHIPPED, path.join(alone, "fleet"), { recursive: true });
      const result = await lintFleet(path.join(alone, "fleet"));
      expect(result.notes).toEqual([
        `no Pulumi.<stack>.yaml in ${alone}: every platform's cluster-vars are assumed (the keys every platform has, plus --vars); pass --project <dir with the stack files> to check against the real ones`,
      ]);
      expect(result.findings.map((f) => formatFinding(f))).toContain(
        `infrastructure/configs/cluster-issuer.yaml:10: [variable] \${DNS_ZONE_NAME} has no value: Kustomization flux-system/infra-configs substitutes from ConfigMap cluster-vars and none has DNS_ZONE_NAME: no stack file in ${alone} defines platform de-dev, so its cluster-vars are assumed; pass --project <dir with its Pulumi.<stack>.yaml>, or --vars DNS_ZONE_NAME if the platform has it, or give it a default (\${DNS_ZONE_NAME:=value}) (de-dev)`,
      );
      expect(result.findings.every((f) => f.message.includes("--project"))).toBe(true);
      const withProject = await lintFleet(path.join(alone, "fleet"), { projectDir: ROOT });
      expect(withProject.findings).toEqual([]);
      expect(withProject.notes).toEqual([]);
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  }, 120_000);
});
