import {
  fleetArtifact,
  reproducibleTarGz,
  sha256,
  type SourceFile,
} from "../../../automation/gitops/publish/publish";
import {
  chartAnnotations,
  chartArtifact,
  chartConfigJson,
  chartTag,
  goJson,
  parseChartYaml,
} from "../../../automation/gitops/publish/chart";
import { chartFolders, fleetFiles } from "../../../automation/gitops/publish/publishGit";
import { tarEntries } from "./publishFixtures";

const file = (path: string, text: string, executable = false): SourceFile => ({
  path,
  data: Buffer.from(text),
  executable,
});

const COMMIT = "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39";
const TREE = [
  file("clusters/local/kustomization.yaml", "resources: []\n"),
  file("README.md", "# fleet\n"),
  file("scripts/check.sh", "#!/bin/sh\n", true),
  file("apps/base/namespace.yaml", "kind: Namespace\n"),
];

describe("the fleet artifact", () => {
  const input = {
    repository: "acme/fleet",
    tag: "v1.2.0",
    commit: COMMIT,
    committed: "2026-11-28T18:04:05+01:00",
    source: "https://github.com/acme-telco/platform-fleet",
    files: TREE,
  };

  it("is Flux's format: OCI manifest, config {} of the Flux config type, one Flux content layer, the three annotations", async () => {
    const a = await fleetArtifact(input);
    expect(a.config.data.toString()).toBe("{}");
    expect(a.manifest.toString()).toBe(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.cncf.flux.config.v1+json",
          digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
          size: 2,
        },
        layers: [
          {
            mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip",
            digest: sha256(a.layer.data),
            size: a.layer.data.length,
          },
        ],
        annotations: {
          "org.opencontainers.image.created": "2026-11-28T17:04:05Z",
          "org.opencontainers.image.revision": `v1.2.0@sha1:${COMMIT}`,
          "org.opencontainers.image.source": "https://github.com/acme-telco/platform-fleet",
        },
      }),
    );
    expect(a.digest).toBe(sha256(a.manifest));
    expect([a.repository, a.tag, a.kind]).toEqual(["acme/fleet", "v1.2.0", "fleet"]);
  });

  it("holds the folder's contents relative to it, sorted, folders first, fixed owner, times and modes", async () => {
    const a = await fleetArtifact(input);
    const fixed = { mtime: 0, uid: 0, gid: 0, uname: "", gname: "" };
    const dir = (name: string) => ({ ...fixed, name, type: "directory", mode: 0o755, size: 0 });
    const f = (name: string, size: number, mode = 0o644) => ({ ...fixed, name, type: "file", mode, size });
    expect(await tarEntries(a.layer.data)).toEqual([
      f("README.md", 8),
      dir("apps/"),
      dir("apps/base/"),
      f("apps/base/namespace.yaml", 16),
      dir("clusters/"),
      dir("clusters/local/"),
      f("clusters/local/kustomization.yaml", 14),
      dir("scripts/"),
      f("scripts/check.sh", 10, 0o755),
    ]);
    expect(a.entries).toEqual((await tarEntries(a.layer.data)).map((e) => e.name));
    // The gzip header carries no time and the "unknown" OS (the same bytes on every platform).
    expect([...a.layer.data.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
  });

  it("is reproducible: the same files in any order give the same digests; a changed byte or commit does not", async () => {
    const a = await fleetArtifact(input);
    const b = await fleetArtifact({ ...input, files: [...TREE].reverse() });
    expect([b.digest, b.layer.digest, b.contentDigest]).toEqual([a.digest, a.layer.digest, a.contentDigest]);
    // The uncompressed tar is pinned: tar-stream's headers and our fixed fields.
    expect(a.contentDigest).toBe("sha256:2f6247d52783d34890271a14af327b313ff227f5908ac0ad7df4b3192b63e164");
    const edited = await fleetArtifact({
      ...input,
      files: [...TREE.filter((f) => f.path !== "README.md"), file("README.md", "# fleet!\n")],
    });
    expect(edited.layer.digest).not.toBe(a.layer.digest);
    const other = await fleetArtifact({ ...input, commit: "0".repeat(40) });
    expect(other.layer.digest).toBe(a.layer.digest);
    expect(other.digest).not.toBe(a.digest);
  });

  it("refuses a duplicate path and a short sha (bugs, not user input)", async () => {
    await expect(reproducibleTarGz([TREE[0], TREE[0]], { directories: true })).rejects.toThrow(
      "duplicate file clusters/local/kustomization.yaml",
    );
    await expect(fleetArtifact({ ...input, commit: "abc1234" })).rejects.toThrow("not a full commit sha");
  });

  it("leaves out what flux push artifact leaves out by default, and what .sourceignore names", () => {
    const files = [
      ...TREE,
      file(".gitignore", "x"),
      file("docs/diagram.png", "x"),
      file("backup.tar.gz", "x"),
      file(".sourceignore", "scripts/\n*.md\n"),
    ];
    expect(fleetFiles(files).map((f) => f.path)).toEqual([
      "clusters/local/kustomization.yaml",
      "apps/base/namespace.yaml",
      ".sourceignore",
    ]);
  });
});

const CHART_YAML = `# a comment Helm drops
apiVersion: v2
name: network-function
description: A user-plane network function <5G & more>
type: application
version: 1.2.0+build.7
appVersion: 1.10
home: https://example.com/nf
sources: [https://github.com/acme-telco/platform-fleet, https://example.com/other]
keywords: [upf]
maintainers:
  - name: Platform team
    email: platform@example.com
  - name: Vendor
annotations:
  org.opencontainers.image.title: ignored
  category: network
dependencies:
  - name: common
    version: 2.x
    repository: oci://registry.example.com/charts
`;

describe("a Helm chart", () => {
  const files = [
    file("Chart.yaml", CHART_YAML),
    file("values.yaml", "replicas: 1\n"),
    file("templates/deployment.yaml", "kind: Deployment\n"),
    file("charts/common-2.1.0.tgz", "tgz"),
  ];
  const input = {
    repositoryBase: "acme/charts",
    origin: "charts/network-function",
    files,
    committed: "2026-11-01T10:00:00Z",
  };

  it("is Helm's OCI format: the Chart.yaml metadata as the config, one chart layer with entries under <name>/, tag with _ for +", async () => {
    const a = await chartArtifact(input);
    expect([a.repository, a.tag, a.kind, a.origin]).toEqual([
      "acme/charts/network-function",
      "1.2.0_build.7",
      "chart",
      "charts/network-function",
    ]);
    expect(a.config.mediaType).toBe("application/vnd.cncf.helm.config.v1+json");
    expect(a.config.data.toString()).toBe(
      '{"name":"network-function","home":"https://example.com/nf","sources":["https://github.com/acme-telco/platform-fleet","https://example.com/other"],"version":"1.2.0+build.7","description":"A user-plane network function \\u003c5G \\u0026 more\\u003e","keywords":["upf"],"maintainers":[{"name":"Platform team","email":"platform@example.com"},{"name":"Vendor"}],"apiVersion":"v2","appVersion":"1.1","annotations":{"category":"network","org.opencontainers.image.title":"ignored"},"dependencies":[{"name":"common","version":"2.x","repository":"oci://registry.example.com/charts"}],"type":"application"}',
    );
    expect(JSON.parse(a.manifest.toString())).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.cncf.helm.config.v1+json",
        digest: a.config.digest,
        size: a.config.size,
      },
      layers: [
        {
          mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
          digest: a.layer.digest,
          size: a.layer.size,
        },
      ],
      annotations: {
        category: "network",
        "org.opencontainers.image.authors": "Platform team (platform@example.com), Vendor",
        "org.opencontainers.image.created": "2026-11-01T10:00:00Z",
        "org.opencontainers.image.description": "A user-plane network function <5G & more>",
        "org.opencontainers.image.source": "https://github.com/acme-telco/platform-fleet",
        "org.opencontainers.image.title": "network-function",
        "org.opencontainers.image.url": "https://example.com/nf",
        "org.opencontainers.image.version": "1.2.0+build.7",
      },
    });
    expect((await tarEntries(a.layer.data)).map((e) => [e.name, e.type, e.mode])).toEqual([
      ["network-function/Chart.yaml", "file", 0o644],
      ["network-function/charts/common-2.1.0.tgz", "file", 0o644],
      ["network-function/templates/deployment.yaml", "file", 0o644],
      ["network-function/values.yaml", "file", 0o644],
    ]);
  });

  it("refuses a declared dependency that is not vendored", async () => {
    await expect(chartArtifact({ ...input, files: files.slice(0, 3) })).rejects.toThrow(
      "charts/network-function/Chart.yaml: dependencies common are not in charts/network-function/charts/: run helm dependency build charts/network-function and commit the result",
    );
  });

  it("refuses a Chart.yaml helm would refuse, every problem at once", () => {
    expect(() => parseChartYaml("apiVersion: v3\nname: Network_Function\nversion: 1.2\ntype: app\n", "charts/x/Chart.yaml")).toThrow(
      [
        "charts/x/Chart.yaml:",
        '  - apiVersion is "v3": write apiVersion: v2',
        `  - name "Network_Function" is not a valid OCI repository name (lower-case letters, digits, '.', '_', '-'): rename the chart`,
        '  - version "1.2" is not SemVer 2 (helm push tags by it): write e.g. 0.1.0',
        '  - type is "app": application or library',
      ].join("\n"),
    ); // prettier-ignore
    expect(() => parseChartYaml("- a\n", "c/Chart.yaml")).toThrow("c/Chart.yaml: not a mapping");
    expect(() => parseChartYaml("a: [\n", "c/Chart.yaml")).toThrow("c/Chart.yaml: not valid YAML");
    expect(() => parseChartYaml("apiVersion: v2\nname: x\n", "c/Chart.yaml")).toThrow(
      "version is missing: write version: <SemVer, e.g. 0.1.0>",
    );
  });

  it("writes the annotations and config as Helm does for a minimal chart", () => {
    const meta = parseChartYaml("apiVersion: v2\nname: nf\nversion: 0.1.0\n", "Chart.yaml");
    expect(chartConfigJson(meta)).toBe('{"name":"nf","version":"0.1.0","apiVersion":"v2"}');
    expect(chartAnnotations(meta, "2026-01-01T00:00:00Z")).toEqual({
      "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
      "org.opencontainers.image.title": "nf",
      "org.opencontainers.image.version": "0.1.0",
    });
    expect(chartTag("1.0.0+a+b")).toBe("1.0.0_a_b");
    expect(goJson({ s: "a<b>&\u2028" })).toBe('{"s":"a\\u003cb\\u003e\\u0026\\u2028"}');
  });

  it("is found under charts/* with its .helmignore applied (Chart.yaml always kept)", () => {
    const found = chartFolders([
      file("charts/nf/Chart.yaml", "x"),
      file("charts/nf/.helmignore", "*.md\n/Chart.yaml\n"),
      file("charts/nf/README.md", "x"),
      file("charts/nf/values.yaml", "x"),
      file("charts/notachart/values.yaml", "x"),
      file("charts/nf/charts/sub/Chart.yaml", "x"),
      file("clusters/charts/x/Chart.yaml", "x"),
    ]);
    expect(found.map((c) => [c.origin, c.files.map((f) => f.path)])).toEqual([
      ["charts/nf", ["Chart.yaml", ".helmignore", "values.yaml", "charts/sub/Chart.yaml"]],
    ]);
  });
});
