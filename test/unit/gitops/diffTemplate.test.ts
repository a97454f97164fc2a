/**
 * gitops:diff on the template repository with the project's own stack files (real renders, real
 * kustomize): prints how long the three platforms take (target < 5 s; a timing printed, not asserted).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffFleet, diffMarkdown } from "../../../automation/gitops";
import { edit, SHIPPED, templateDiffRows } from "./helpers";

const PROJECT = path.resolve(__dirname, "../../..");

describe("gitops:diff on the template's three platforms", () => {
  let repo: string;
  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "template-fleet-"));
    fs.cpSync(SHIPPED, repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "v1.0.0");
    git("tag", "v1.0.0");
    edit(
      repo,
      "clusters/de-dev/overlays/embb/slice-lab.yaml",
      "${SLICE_PRIORITY:=7}",
      "${SLICE_PRIORITY:=6}",
    );
    edit(
      repo,
      "clusters/de-prod/slices/1-def922/slice-vars.yaml",
      'SLICE_PRIORITY: "3"',
      'SLICE_PRIORITY: "2"',
    );
    edit(repo, "clusters/local/network-functions/upf-values.yaml", "logLevel: debug", "logLevel: trace");
    git("commit", "-q", "-am", "v1.1.0");
    git("tag", "v1.1.0");
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("gives each platform its own revision and values, and prints the time", async () => {
    const diff = await diffFleet({ repoDir: repo, from: "v1.0.0", to: "main", projectDir: PROJECT });
    console.log(`gitops:diff of the template's ${diff.platforms.length} platforms: ${diff.durationMs} ms`);
    const table = templateDiffRows(diffMarkdown(diff));
    expect(table).toEqual([
      "| de-dev | semver >=1.0.0-0 | tag v1.0.0 (sha) → tag v1.1.0 (sha) | 0 | 0 | 0 | 1 |",
      "| de-prod | tag v1.0.0 | tag v1.0.0 (sha) on both sides: unchanged until its tag moves | 0 | 0 | 0 | 0 |",
      "| local | branch main | v1.0.0 (sha) → main (sha) | 1 | 1 | 0 | 1 |",
    ]);
    const local = diff.platforms.find((p) => p.platform === "local");
    // The values ConfigMap is generated with a content hash: a new name, and the HelmRelease follows it.
    expect(local?.changed.map((c) => [c.kind, c.fields.map((f) => f.path)])).toEqual([
      ["HelmRelease", ["spec.valuesFrom[0].name"]],
    ]);
    const dev = diff.platforms.find((p) => p.platform === "de-dev");
    expect(dev?.changed).toEqual([
      {
        apiVersion: "catalog.platform.io/v1alpha1",
        kind: "Slice",
        namespace: "slices",
        name: "slice-1-def922",
        appliedBy: "flux-system/slice-1-def922",
        file: "catalog/slices/embb/slice.yaml",
        fields: [{ path: "spec.priority", from: 7, to: 6 }],
      },
    ]);
    expect(diff.problems).toEqual([]);
  }, 120_000);
});
