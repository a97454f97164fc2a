/**
 * What the Git-side tools make once for many platforms: kustomize builds of directories whose inputs
 * have the same contents at the same relative paths (shared/kustomize.ts, shared/kustomizeOutput.ts),
 * the parse of files with the same bytes (shared/manifests.ts), and the walk inputs of trees whose
 * Kustomizations hold no variable, whatever the cluster-vars (shared/treeInputs.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lintFleet } from "../../../automation/gitops";
import { buildPath } from "../../../automation/gitops/shared/build";
import { valuesFree } from "../../../automation/gitops/shared/incremental";
import { KustomizeBuilder } from "../../../automation/gitops/shared/kustomize";
import { ManifestCache } from "../../../automation/gitops/shared/manifests";
import { walkTree, type TreeContext } from "../../../automation/gitops/shared/tree";
import { DirHashes, TreeInputs } from "../../../automation/gitops/shared/treeInputs";

const KS = (name: string, p: string, extra = "") =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${p}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
${extra}`;

/** Two platforms, a and b, whose network-functions overlays are the same bytes, over one base. */
function fleet(): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "shared-builds-"));
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  put("base/kustomization.yaml", "resources:\n  - cm.yaml\n");
  put("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n  namespace: default\n");
  for (const p of ["a", "b"]) {
    put(`clusters/${p}/nf.yaml`, KS("nf", `./overlays/${p}/nf`));
    put(`overlays/${p}/nf/kustomization.yaml`, "resources:\n  - ../../../base\n  - own.yaml\n");
    put(
      `overlays/${p}/nf/own.yaml`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\n  namespace: default\ndata:\n  zone: "${NOPE_ZONE}"\n',
    );
  }
  return repo;
}

const where = { file: "x", line: 1, what: "path" };
const build = (builder: KustomizeBuilder, repo: string, dir: string) =>
  builder.build(dir, undefined, buildPath(new ManifestCache(repo), dir, where).inputs);

describe("builds shared by content and relative layout", () => {
  let repo: string;
  beforeEach(() => (repo = fleet()));
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("two platforms with the same overlay: one kustomize run, each platform's objects traced to its own files", () => {
    const builder = new KustomizeBuilder(repo);
    try {
      const a = build(builder, repo, "overlays/a/nf");
      const b = build(builder, repo, "overlays/b/nf");
      expect(builder.runs).toBe(1);
      expect(b.objects.map((o) => [o.object.metadata, o.origin])).toEqual([
        [
          { name: "base", namespace: "default" },
          { file: "base/cm.yaml", configuredIn: undefined },
        ],
        [
          { name: "own", namespace: "default" },
          { file: "overlays/b/nf/own.yaml", configuredIn: undefined },
        ],
      ]);
      expect(a.objects.map((o) => o.origin?.file)).toEqual(["base/cm.yaml", "overlays/a/nf/own.yaml"]);
      expect(b.objects.map((o) => o.object)).toEqual(a.objects.map((o) => o.object));
    } finally {
      builder.dispose();
    }
  });

  it("a difference in any file a build reads (its own, or the base it names) gives two runs", () => {
    for (const file of ["overlays/b/nf/own.yaml", "base/cm.yaml"]) {
      const other = fleet();
      fs.appendFileSync(path.join(other, file), "  # changed\n");
      // b's base changed means b reads another base: a copy of the repository where only b's overlay names it.
      if (file === "base/cm.yaml") {
        fs.cpSync(path.join(other, "base"), path.join(other, "base2"), { recursive: true });
        fs.writeFileSync(path.join(other, "base/cm.yaml"), fs.readFileSync(path.join(repo, "base/cm.yaml")));
        fs.writeFileSync(
          path.join(other, "overlays/b/nf/kustomization.yaml"),
          "resources:\n  - ../../../base2\n  - own.yaml\n",
        );
      }
      const builder = new KustomizeBuilder(other);
      try {
        build(builder, other, "overlays/a/nf");
        const b = build(builder, other, "overlays/b/nf");
        expect([file, builder.runs]).toEqual([file, 2]);
        expect(b.objects.map((o) => o.origin?.file)).toEqual([
          file === "base/cm.yaml" ? "base2/cm.yaml" : "base/cm.yaml",
          "overlays/b/nf/own.yaml",
        ]);
      } finally {
        builder.dispose();
        fs.rmSync(other, { recursive: true, force: true });
      }
    }
  });

  it("the lint's findings with one shared build are each platform's own, as with separate builds; the disk cache shares them too", async () => {
    const expected = ["a", "b"].map((p) => `overlays/${p}/nf/own.yaml:7: variable (${p})`);
    const lines = (r: Awaited<ReturnType<typeof lintFleet>>) =>
      r.findings.map((f) => `${f.file}:${f.line}: ${f.rule} (${f.platform})`);
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "shared-builds-cache-"));
    try {
      expect(lines(await lintFleet(repo, { cacheRoot: cache, projectDir: repo }))).toEqual(expected);
      // One entry for both overlays, and one for each platform's root (its nf.yaml names its overlay).
      expect(fs.readdirSync(path.join(cache, "kustomize"))).toHaveLength(3);
      expect(lines(await lintFleet(repo, { cacheRoot: cache, projectDir: repo }))).toEqual(expected);
      // b's overlay one line longer: built apart, its finding one line further down.
      const own = path.join(repo, "overlays/b/nf/own.yaml");
      fs.writeFileSync(own, `# b's own\n${fs.readFileSync(own, "utf8")}`);
      expect(lines(await lintFleet(repo, { cacheRoot: cache, projectDir: repo }))).toEqual([
        expected[0],
        "overlays/b/nf/own.yaml:8: variable (b)",
      ]);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("files with the same bytes are parsed once", () => {
  it("each gets the documents under its own name", () => {
    const repo = fleet();
    try {
      const cache = new ManifestCache(repo);
      const a = cache.read("overlays/a/nf/own.yaml");
      const b = cache.read("overlays/b/nf/own.yaml");
      expect([a.file, b.file, a.docs[0].file, b.docs[0].file]).toEqual([
        "overlays/a/nf/own.yaml",
        "overlays/b/nf/own.yaml",
        "overlays/a/nf/own.yaml",
        "overlays/b/nf/own.yaml",
      ]);
      expect(b.docs[0].object).toBe(a.docs[0].object);
      expect(b.docs[0].lineOf(["data", "zone"])).toBe(7);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("walk inputs of trees whose Kustomizations hold no variable", () => {
  const context = (zone: string | undefined): TreeContext => ({
    platform: "a",
    rootPath: "./clusters/a",
    clusterVars: { CLUSTER_NAME: "a", ZONE: zone },
  });

  it("serve any cluster-vars; a tree with a Kustomization holding a variable keeps them under its own", () => {
    const repo = fleet();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "shared-inputs-"));
    try {
      const inputs = new TreeInputs(cache);
      const rendered = context("eu-1");
      const tree = walkTree(new ManifestCache(repo), rendered);
      expect(valuesFree(tree)).toBe(true);
      inputs.put(rendered, new DirHashes(repo), tree.inputs, valuesFree(tree));
      // The stack file's keys, unrendered (a diff's or --changed-since's context): the same inputs.
      expect(inputs.get(context(undefined), new DirHashes(repo))).toEqual([...tree.inputs]);
      // A value with a line break could add keys to an object: not shared.
      expect(inputs.get(context("eu-1\nkind: Kustomization"), new DirHashes(repo))).toBeUndefined();
      // A Kustomization with a variable: kept under its whole context only.
      fs.writeFileSync(
        path.join(repo, "clusters/a/nf.yaml"),
        KS("nf", "./overlays/a/nf", "  targetNamespace: ${NS:=default}\n"),
      );
      const withVariable = walkTree(new ManifestCache(repo), rendered);
      expect(valuesFree(withVariable)).toBe(false);
      const other = new TreeInputs(path.join(cache, "other"));
      other.put(rendered, new DirHashes(repo), withVariable.inputs, valuesFree(withVariable));
      expect(other.get(context(undefined), new DirHashes(repo))).toBeUndefined();
      expect(other.get(rendered, new DirHashes(repo))).toEqual([...withVariable.inputs]);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
