/**
 * What the incremental Git-side tools read instead of whole trees: content hashes of a commit from
 * Git's listing equal to a checkout's (automation/gitops/shared/treeInputs.ts), the walk inputs kept
 * with them, the partial checkout gitops:diff builds in (shared/git.ts) and the partial mirror
 * kustomize builds in (shared/mirror.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FleetGit } from "../../../automation/gitops/shared/git";
import { BuildMirror } from "../../../automation/gitops/shared/mirror";
import { KustomizeBuilder } from "../../../automation/gitops/shared/kustomize";
import { MAX_FILE_BYTES } from "../../../automation/gitops/shared/sandbox";
import { buildPath } from "../../../automation/gitops/shared/build";
import { ManifestCache } from "../../../automation/gitops/shared/manifests";
import { blobId, DirHashes, TreeInputs } from "../../../automation/gitops/shared/treeInputs";
import type { TreeContext } from "../../../automation/gitops/shared/tree";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
    stdio: "pipe",
  }).trim();

const files = (dir: string) =>
  fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();

/** A Git repository whose fleet repository is its `fleet/` folder: two platforms and a shared base. */
function fleet(): { top: string; repo: string; commit: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "tree-inputs-"));
  const repo = path.join(top, "fleet");
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  put("apps/base/kustomization.yaml", "resources:\n  - ns.yaml\n");
  put("apps/base/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n");
  put("clusters/a/kustomization.yaml", "resources:\n  - ../../apps/base\n");
  put("clusters/b/kustomization.yaml", "resources:\n  - ../../apps/base\n");
  put("clusters/b/extra/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
  put("README.md", "fleet\n");
  git(top, "init", "-q", "-b", "main");
  git(top, "add", "-A");
  git(top, "commit", "-qm", "fleet");
  return { top, repo, commit: git(top, "rev-parse", "HEAD") };
}

describe("content hashes, kept walk inputs, partial checkouts and mirrors", () => {
  let top: string;
  let repo: string;
  let commit: string;
  let fleetGit: FleetGit;
  beforeAll(() => ({ top, repo, commit } = fleet()));
  beforeEach(() => (fleetGit = new FleetGit(repo)));
  afterEach(() => fleetGit.dispose());
  afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

  const paths = [
    ".",
    "apps",
    "apps/base",
    "apps/base/ns.yaml",
    "clusters/b",
    "clusters/b/extra",
    "nothing/here",
  ];

  it("a commit's hashes from Git's listing equal the checkout's and the working tree's, path by path", () => {
    const tree = fleetGit.tree(commit)!;
    const fromGit = paths.map((p) => tree.of(p));
    expect(fromGit.map((h) => h?.split(":")[0])).toEqual([
      "tree",
      "tree",
      "tree",
      "blob",
      "tree",
      "tree",
      "missing",
    ]);
    expect(tree.of("apps/base/ns.yaml")).toBe(
      `blob:${git(top, "rev-parse", `${commit}:fleet/apps/base/ns.yaml`)}`,
    );
    expect(tree.of("apps/base/ns.yaml")).toBe(
      `blob:${blobId(fs.readFileSync(path.join(repo, "apps/base/ns.yaml")))}`,
    );
    const checkout = new DirHashes(fleetGit.checkout({ label: "main", commit }));
    expect(paths.map((p) => checkout.of(p))).toEqual(fromGit);
    expect(paths.map((p) => new DirHashes(repo).of(p))).toEqual(fromGit);
    expect(tree.subdirs("clusters")).toEqual(["a", "b"]);
    expect(tree.names(".").sort()).toEqual(["README.md", "apps", "clusters"]);
    expect([tree.exists("./clusters/a/"), tree.exists("clusters/c"), tree.hasLink()]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("a changed file changes its hash and every folder above it, nothing beside it", () => {
    const edited = fs.mkdtempSync(path.join(top, "edited-"));
    fs.cpSync(repo, edited, { recursive: true });
    fs.appendFileSync(path.join(edited, "clusters/b/extra/cm.yaml"), "data:\n  x: y\n");
    fs.symlinkSync("cm.yaml", path.join(edited, "clusters/b/extra/link.yaml"));
    const before = new DirHashes(repo);
    const after = new DirHashes(edited);
    expect(paths.map((p) => before.of(p) === after.of(p))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    // A file over MAX_FILE_BYTES has no hash, from Git or from the folder (it is never read whole).
    fs.writeFileSync(path.join(repo, "big.bin"), Buffer.alloc(MAX_FILE_BYTES + 1));
    git(top, "add", "fleet/big.bin");
    git(top, "commit", "-qm", "big");
    const bigCommit = git(top, "rev-parse", "HEAD");
    expect([fleetGit.tree(bigCommit)!.of("big.bin"), new DirHashes(repo).of("big.bin")]).toEqual([
      undefined,
      undefined,
    ]);
    expect(fleetGit.tree(bigCommit)!.of("apps")).toBe(before.of("apps"));
    git(top, "rm", "-q", "fleet/big.bin");
    git(top, "commit", "-qm", "no big");
    // A link has no hash, nor has a folder holding one.
    expect([after.of("clusters/b/extra/link.yaml"), after.of("clusters/b"), after.of("apps")]).toEqual([
      undefined,
      undefined,
      before.of("apps"),
    ]);
  });

  it("walk inputs are given back only while every one hashes as when kept", () => {
    const cache = path.join(top, "cache");
    const context: TreeContext = { platform: "b", rootPath: "./clusters/b", clusterVars: { A: "1" } };
    const inputs = new TreeInputs(cache);
    const tree = fleetGit.tree(commit)!;
    inputs.put(context, tree, ["clusters/b", "apps/base", "clusters/b/missing.yaml"]);
    expect(inputs.get(context, tree)).toEqual(["clusters/b", "apps/base", "clusters/b/missing.yaml"]);
    expect(inputs.get(context, new DirHashes(repo))).toEqual([
      "clusters/b",
      "apps/base",
      "clusters/b/missing.yaml",
    ]);
    expect(inputs.get({ ...context, clusterVars: { A: "2" } }, tree)).toBeUndefined();
    expect(inputs.get(context, undefined)).toBeUndefined();
    // A file appears where a kept input was missing; a file of an input folder changes.
    for (const [file, text] of [
      ["clusters/b/missing.yaml", "x: 1\n"],
      ["apps/base/ns.yaml", "# edited\n"],
    ]) {
      const edited = fs.mkdtempSync(path.join(top, "edited-"));
      fs.cpSync(repo, edited, { recursive: true });
      fs.appendFileSync(path.join(edited, file), text);
      expect(new TreeInputs(cache).get(context, new DirHashes(edited))).toBeUndefined();
    }
    // Nothing is kept for an input without a hash (outside the repository).
    const other = { ...context, platform: "a" };
    inputs.put(other, tree, ["clusters/a", "../outside"]);
    expect(inputs.get(other, tree)).toBeUndefined();
    expect(new TreeInputs(undefined).get(context, tree)).toBeUndefined();
  });

  it("a partial checkout holds what was asked, grows into a new folder, and is the whole one once there is one", () => {
    const rev = { label: "main", commit };
    const first = fleetGit.partialCheckout(rev, ["apps", "clusters/b/extra"]);
    expect(files(first)).toEqual([
      "apps/base/kustomization.yaml",
      "apps/base/ns.yaml",
      "clusters/b/extra/cm.yaml",
    ]);
    expect(fleetGit.partialCheckout(rev, ["apps/base"])).toBe(first);
    const grown = fleetGit.partialCheckout(rev, ["clusters/a", "README.md"]);
    expect(grown).not.toBe(first);
    expect(files(grown)).toEqual([
      "README.md",
      "apps/base/kustomization.yaml",
      "apps/base/ns.yaml",
      "clusters/a/kustomization.yaml",
      "clusters/b/extra/cm.yaml",
    ]);
    expect(files(first)).toHaveLength(3);
    const whole = fleetGit.checkout(rev);
    expect(files(whole)).toEqual(files(repo).filter((f) => !f.startsWith(".git")));
    expect(fleetGit.partialCheckout(rev, ["clusters/a"])).toBe(whole);
  });

  it("the build mirror copies the paths asked for (no .git, no link), and the whole repository when none are given", () => {
    // A file beside the repository, which a path leading out of it would reach.
    fs.mkdirSync(path.join(top, "outside"), { recursive: true });
    fs.writeFileSync(path.join(top, "outside", "id_rsa"), "key");
    const mirrors = fs.mkdtempSync(path.join(top, "mirrors-"));
    const mirror = new BuildMirror(repo, path.join(mirrors, "m"));
    mirror.ensure(["clusters/b", "apps/base/ns.yaml", "../outside", "nothing/here"]);
    expect(files(mirror.dir)).toEqual([
      "apps/base/ns.yaml",
      "clusters/b/extra/cm.yaml",
      "clusters/b/kustomization.yaml",
    ]);
    expect(mirror.complete).toBe(false);
    expect(fs.readdirSync(mirrors)).toEqual(["m"]);
    // A .git folder inside the tree (a nested clone's, with its credentials) is never copied.
    fs.mkdirSync(path.join(repo, "apps/.git"));
    fs.writeFileSync(
      path.join(repo, "apps/.git/config"),
      "[remote]\n url = https://ci:token@git.example.com/x\n",
    );
    mirror.ensure(undefined);
    fs.rmSync(path.join(repo, "apps/.git"), { recursive: true });
    expect(mirror.complete).toBe(true);
    expect(files(mirror.dir)).toEqual(files(repo));
    // A repository with a link is mirrored whole at once, the link kept as mirrorRepo keeps it.
    const linked = fs.mkdtempSync(path.join(top, "linked-"));
    fs.cpSync(repo, linked, { recursive: true });
    fs.symlinkSync("../apps/base/ns.yaml", path.join(linked, "clusters/ns.yaml"));
    const whole = new BuildMirror(linked, path.join(top, `mirror-linked-${Date.now()}`));
    expect(whole.complete).toBe(true);
    expect(fs.readlinkSync(path.join(whole.dir, "clusters/ns.yaml"))).toBe("../apps/base/ns.yaml");
    expect(whole.badLinks).toEqual([]);
  });

  it("a build that reads beyond the inputs it was given fails in the partial mirror and is built again in the whole one", () => {
    const other = fs.mkdtempSync(path.join(top, "transformers-"));
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(other, rel)), { recursive: true });
      fs.writeFileSync(path.join(other, rel), text);
    };
    put("base/kustomization.yaml", "resources:\n  - cm.yaml\ntransformers:\n  - ../labels\n");
    put("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
    put("labels/kustomization.yaml", "resources:\n  - labeller.yaml\n");
    put(
      "labels/labeller.yaml",
      "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: tier\nlabels:\n  tier: edge\nfieldSpecs:\n  - path: metadata/labels\n    create: true\n",
    );
    // The walk names the transformer's folder among the build's inputs.
    const where = { file: "x", line: 1, what: "path" };
    expect(buildPath(new ManifestCache(other), "base", where).inputs).toEqual([
      "base",
      "base/cm.yaml",
      "labels",
    ]);
    const builder = new KustomizeBuilder(other);
    try {
      // Given base/ only, the transformer's folder is not in the partial mirror.
      const out = builder.build("base", undefined, ["base"]);
      expect(out.error).toBeUndefined();
      expect(out.objects.map((o) => o.object)).toEqual([
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", labels: { tier: "edge" } } },
      ]);
    } finally {
      builder.dispose();
    }
  });
});
