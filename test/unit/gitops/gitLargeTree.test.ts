/**
 * A fleet repository whose Git listing is larger than Node's default output buffer (1 MiB): at 1,000
 * platforms `git ls-tree -r` prints over 2 MiB. FleetGit must still read it (automation/gitops/shared/git.ts),
 * else gitops:diff checks both revisions out whole and walks every platform.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FleetGit } from "../../../automation/gitops/shared/git";

const git = (cwd: string, args: string[], input?: string) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    input,
    encoding: "utf8",
    stdio: "pipe",
    maxBuffer: 64 * 1024 * 1024,
  }).trim();

describe("FleetGit on a large repository", () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "git-large-tree-"));
  afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

  it("lists a commit whose ls-tree output is over 1 MiB, nothing checked out", () => {
    git(top, ["init", "-q", "-b", "main"]);
    const blob = git(top, ["hash-object", "-w", "--stdin"], "kind: ConfigMap\n");
    // 3,000 platforms × 4 files: the index is written directly, no file on disk.
    const names = [
      "kustomization.yaml",
      "cluster-vars.yaml",
      "slices/1-def922/slice-vars.yaml",
      "infra.yaml",
    ];
    const index = Array.from({ length: 3000 }, (_, i) =>
      names.map((n) => `100644 ${blob}\tclusters/platform-with-a-long-name-${i}/${n}`).join("\n"),
    ).join("\n");
    git(top, ["update-index", "--index-info"], `${index}\n`);
    const commit = git(top, ["commit-tree", git(top, ["write-tree"]), "-m", "fleet"]);
    expect(git(top, ["ls-tree", "-r", "-t", "-l", "-z", commit]).length).toBeGreaterThan(1024 * 1024);

    const fleet = new FleetGit(top);
    const tree = fleet.tree(commit);
    expect(tree?.subdirs("clusters").length).toBe(3000);
    expect(tree?.exists("clusters/platform-with-a-long-name-2999/slices/1-def922/slice-vars.yaml")).toBe(
      true,
    );
    expect(tree?.of("clusters/platform-with-a-long-name-0/infra.yaml")).toBe(`blob:${blob}`);
    fleet.dispose();
  });
});
