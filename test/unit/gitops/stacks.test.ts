/**
 * gitops:lint with the project's stack files: a broken one is reported at its line and the others
 * go on; two stacks of one platform are reported; an unknown --prod is refused; stack-file findings
 * are labelled with the project's path; without stack files the findings say the cluster-vars were
 * assumed and how to pass --project.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffFleet, formatFinding, lintFleet, LintError } from "../../../automation/gitops";
import {
  DIFF_FOLLOWS,
  DIFF_PROBLEMS,
  lintStackFindings,
  PLATFORMS,
  stacksProject,
} from "../../helpers/stacksProject";
import { testGitopsCache } from "../../helpers/gitopsCache";
import { SHIPPED } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");

describe("gitops:lint and the project's stack files", () => {
  let project: string;
  beforeAll(() => {
    project = stacksProject();
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  // The same lint and diff as processes, as the user runs them (the broken render fails outside
  // any promise they await): test/integration/gitops/stacks.test.ts. Here in-process, same messages.
  it("reports the broken stack at its line, the duplicate platform, and checks every platform", async () => {
    const result = await lintFleet(path.join(project, "gitops"), { projectDir: project });
    expect(
      result.findings.filter((f) => f.rule === "stack").map((f) => formatFinding(f, "gitops/", "./")),
    ).toEqual(lintStackFindings(project));
    expect(result.platforms).toEqual(PLATFORMS);
  });

  it("gitops:diff reports the broken stack file too, and compares every platform", async () => {
    const diff = await diffFleet({
      repoDir: path.join(project, "gitops"),
      from: "HEAD",
      projectDir: project,
    });
    expect(diff.problems.map((p) => p.replace(/:\d+: /, ":<line>: "))).toEqual(DIFF_PROBLEMS);
    expect(diff.platforms.map((p) => `${p.platform}: ${p.follows}`)).toEqual(DIFF_FOLLOWS);
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
      // Through the run's build cache: this test is about the notes and messages, not the builds.
      const cacheRoot = testGitopsCache();
      const result = await lintFleet(path.join(alone, "fleet"), { cacheRoot });
      expect(result.notes).toEqual([
        `no Pulumi.<stack>.yaml in ${alone}: every platform's cluster-vars are assumed (the keys every platform has, plus --vars); pass --project <dir with the stack files> to check against the real ones`,
      ]);
      expect(result.findings.map((f) => formatFinding(f))).toContain(
        `infrastructure/configs/cluster-issuer.yaml:10: [variable] \${DNS_ZONE_NAME} has no value: Kustomization flux-system/infra-configs substitutes from ConfigMap cluster-vars and none has DNS_ZONE_NAME: no stack file in ${alone} defines platform de-dev, so its cluster-vars are assumed; pass --project <dir with its Pulumi.<stack>.yaml>, or --vars DNS_ZONE_NAME if the platform has it, or give it a default (\${DNS_ZONE_NAME:=value}) (de-dev)`,
      );
      expect(result.findings.every((f) => f.message.includes("--project"))).toBe(true);
      const withProject = await lintFleet(path.join(alone, "fleet"), { projectDir: ROOT, cacheRoot });
      expect(withProject.findings).toEqual([]);
      expect(withProject.notes).toEqual([]);
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  }, 120_000);
});
