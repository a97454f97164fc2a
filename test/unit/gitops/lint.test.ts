import * as fs from "node:fs";
import { copyOfShipped, edit, lintBrokenCopy, lintLines, SHIPPED, shippedContracts, write } from "./helpers";

describe("gitops:lint on the shipped fleet repository", () => {
  it("finds nothing (every build run, none read from the cache)", async () => {
    expect(await lintLines(SHIPPED, shippedContracts(), null)).toEqual([]);
  });
});

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: vendor-credentials
  namespace: flux-system
stringData:
  token: hunter2
`;

const VENDOR_BRANCH = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: vendor-catalog
  namespace: flux-system
spec:
  interval: 10m
  url: https://git.example.com/vendor/catalog.git
  ref:
    branch: main
`;

type Breakage = (repo: string) => void;
const cases: [string, Breakage, string[]][] = [
  [
    "a variable no source has",
    (r) =>
      edit(
        r,
        "catalog/slices/embb/slice.yaml",
        "plmnID: ${MCC}-${MNC}",
        "plmnID: ${MCC}-${MNC}\n  region: ${SLICE_REGION}",
      ),
    [
      "catalog/slices/embb/slice.yaml:17: [variable] ${SLICE_REGION} has no value: Kustomization flux-system/slice-1-def922 substitutes from ConfigMap cluster-vars, ConfigMap slice-vars-1-def922 and none has SLICE_REGION; add it there or give it a default (${SLICE_REGION:=value}) (de-dev, de-prod, local)",
    ],
  ],
  [
    "an unknown ConfigMap",
    (r) =>
      edit(
        r,
        "clusters/local/slices/1-def922/slice.yaml",
        "name: slice-vars-1-def922",
        "name: slice-vars-1-def923",
      ),
    [
      "clusters/local/slices/1-def922/slice.yaml:31: [reference] Kustomization flux-system/slice-1-def922: substituteFrom ConfigMap flux-system/slice-vars-1-def923 does not exist in the tree of local (local)",
    ],
  ],
  [
    "a dangling dependsOn",
    (r) => edit(r, "clusters/local/slices.yaml", "- name: apps", "- name: applications"),
    [
      "clusters/local/slices.yaml:17: [reference] Kustomization flux-system/slices: dependsOn Kustomization flux-system/applications does not exist in the tree of local (local)",
    ],
  ],
  [
    "a dependsOn cycle",
    (r) =>
      edit(r, "clusters/local/apps.yaml", "  postBuild:", "  dependsOn:\n    - name: slices\n  postBuild:"),
    [
      "clusters/local/apps.yaml:18: [cycle] Kustomization dependsOn cycle: flux-system/apps → flux-system/slices → flux-system/apps (local)",
    ],
  ],
  [
    "a branch in prod",
    (r) => {
      write(r, "clusters/de-prod/vendor.yaml", VENDOR_BRANCH);
      edit(r, "clusters/de-prod/kustomization.yaml", "  - apps.yaml", "  - apps.yaml\n  - vendor.yaml");
    },
    [
      "clusters/de-prod/vendor.yaml:10: [prod-ref] prod platform de-prod: GitRepository flux-system/vendor-catalog follows branch main; prod sources follow a tag or a semver range (de-prod)",
    ],
  ],
  [
    "a plaintext Secret",
    (r) => write(r, "clusters/local/slices/credentials.yaml", SECRET),
    [
      "clusters/local/slices/credentials.yaml:1: [plaintext-secret] Secret vendor-credentials is not SOPS-encrypted: encrypt it with `sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place credentials.yaml` (only the values are encrypted, metadata stays readable)",
    ],
  ],
  [
    "a v1beta2 object",
    (r) =>
      edit(
        r,
        "clusters/local/apps.yaml",
        "kustomize.toolkit.fluxcd.io/v1",
        "kustomize.toolkit.fluxcd.io/v1beta2",
      ),
    [
      "clusters/local/apps.yaml:2: [schema] Kustomization apps: Kustomization kustomize.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9 (removed API version): use kustomize.toolkit.fluxcd.io/v1",
    ],
  ],
  [
    "a schema violation",
    (r) => edit(r, "clusters/de-dev/infrastructure.yaml", "prune: true", "prune: yes please"),
    [
      "clusters/de-dev/infrastructure.yaml:13: [schema] Kustomization infra-controllers: spec.prune: must be of type boolean",
    ],
  ],
  [
    "a ConfigMap number",
    (r) => edit(r, "clusters/de-dev/slices/1-def922/slice-vars.yaml", 'NSIID: "1"', "NSIID: 1"),
    [
      'clusters/de-dev/slices/1-def922/slice-vars.yaml:15: [string-value] ConfigMap slice-vars-1-def922: data.NSIID is number, values must be strings: quote it ("1")',
    ],
  ],
  [
    "a missing health check target",
    (r) =>
      edit(
        r,
        "clusters/de-dev/slices/2-ab0001/slice.yaml",
        "      name: slice-2-ab0001\n",
        "      name: slice-2-ab0002\n",
      ),
    [
      "clusters/de-dev/slices/2-ab0001/slice.yaml:23: [reference] Kustomization flux-system/slice-2-ab0001: health check target Slice slices/slice-2-ab0002 is not applied by any Kustomization of de-dev (de-dev)",
    ],
  ],
  [
    "a path that does not exist",
    (r) =>
      edit(r, "clusters/de-dev/infrastructure.yaml", "./infrastructure/configs", "./infrastructure/config"),
    [
      'clusters/de-dev/infrastructure.yaml:36: [path] Kustomization flux-system/infra-configs path "./infrastructure/config" does not exist in the repository (de-dev)',
    ],
  ],
  [
    "a resource that does not exist",
    (r) => edit(r, "infrastructure/controllers/kustomization.yaml", "external-dns.yaml", "externaldns.yaml"),
    [
      'infrastructure/controllers/kustomization.yaml:5: [path] resources entry "externaldns.yaml" does not exist (infrastructure/controllers/externaldns.yaml) (de-dev)',
    ],
  ],
  [
    "invalid YAML",
    (r) =>
      edit(
        r,
        "infrastructure/configs/cluster-issuer.yaml",
        "  name: letsencrypt-dns01",
        "  name: [letsencrypt-dns01",
      ),
    [
      "infrastructure/configs/cluster-issuer.yaml:7: [yaml] invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ],
  [
    "a variable without postBuild",
    (r) =>
      edit(
        r,
        "clusters/local/apps.yaml",
        "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n",
        "",
      ),
    [
      "apps/base/namespace.yaml:7: [variable] ${PLATFORM_NAME} is applied literally: Kustomization flux-system/apps has no postBuild substitution; add postBuild.substituteFrom or give it a default (${PLATFORM_NAME:=value}) (local)",
      "apps/base/namespace.yaml:8: [variable] ${PLATFORM_ENVIRONMENT} is applied literally: Kustomization flux-system/apps has no postBuild substitution; add postBuild.substituteFrom or give it a default (${PLATFORM_ENVIRONMENT:=value}) (local)",
    ],
  ],
  [
    "a number where a string belongs",
    (r) =>
      edit(r, "clusters/local/slices/1-def922/slice-vars.yaml", 'MCC: "001"', 'MCC: "${SLICE_DEFAULT_MCC}"'),
    [
      'clusters/local/slices/1-def922/slice-vars.yaml:13: [type] data.MCC must be a string, but ${SLICE_DEFAULT_MCC} makes it the number 1 (value "001"): Flux substitutes into YAML after a JSON round trip, so quotes around a variable are lost; keep the variable inside a longer string (e.g. x-${SLICE_DEFAULT_MCC}) (local)',
    ],
  ],
  [
    "a HelmRelease with a dangling source and dependsOn",
    (r) =>
      edit(
        r,
        "infrastructure/controllers/external-dns.yaml",
        "        name: external-dns\n      interval: 12h\n",
        "        name: externaldns\n      interval: 12h\n  dependsOn:\n    - name: cert-managr\n      namespace: cert-manager\n",
      ),
    [
      "infrastructure/controllers/external-dns.yaml:30: [reference] HelmRelease external-dns/external-dns: chart.spec.sourceRef HelmRepository external-dns/externaldns does not exist in the tree of de-dev (de-dev)",
      "infrastructure/controllers/external-dns.yaml:34: [reference] HelmRelease external-dns/external-dns: dependsOn HelmRelease cert-manager/cert-managr does not exist in the tree of de-dev (de-dev)",
    ],
  ],
  [
    "a targetNamespace nobody creates",
    (r) =>
      edit(
        r,
        "clusters/local/slices/1-def922/slice.yaml",
        "targetNamespace: slices",
        "targetNamespace: slice",
      ),
    [
      "clusters/local/slices/1-def922/slice.yaml:19: [reference] Kustomization flux-system/slice-1-def922: targetNamespace slice is not created by any Kustomization of local; Flux requires it to exist (local)",
      "clusters/local/slices/1-def922/slice.yaml:23: [reference] Kustomization flux-system/slice-1-def922: health check target Slice slices/slice-1-def922 is not applied by any Kustomization of local (local)",
    ],
  ],
  [
    "an invalid variable name",
    (r) => edit(r, "apps/base/namespace.yaml", "${PLATFORM_NAME}", "${PLATFORM.NAME}"),
    [
      "apps/base/namespace.yaml:7: [variable] ${PLATFORM.NAME} is not a valid Flux variable (names match ^[_a-zA-Z][_a-zA-Z0-9]*$); write $${…} for a literal (de-dev, de-prod, local)",
    ],
  ],
  [
    "a variable only a patch introduces",
    (r) =>
      edit(
        r,
        "clusters/de-dev/overlays/embb/slice-lab.yaml",
        "  priority: ${SLICE_PRIORITY:=7}",
        "  priority: ${SLICE_PRIORITY:=7}\n  region: ${SLICE_REGION}",
      ),
    [
      "clusters/de-dev/overlays/embb/slice-lab.yaml:10: [variable] ${SLICE_REGION} has no value: Kustomization flux-system/slice-1-def922 substitutes from ConfigMap cluster-vars, ConfigMap slice-vars-1-def922 and none has SLICE_REGION; add it there or give it a default (${SLICE_REGION:=value}) (de-dev)",
    ],
  ],
  [
    "a variable only a generator introduces",
    (r) =>
      edit(
        r,
        "clusters/de-dev/overlays/embb/kustomization.yaml",
        "      - model=embb",
        "      - model=embb\n      - site=${SITE_CODE}",
      ),
    [
      "clusters/de-dev/overlays/embb/kustomization.yaml:20: [variable] ${SITE_CODE} has no value: Kustomization flux-system/slice-1-def922 substitutes from ConfigMap cluster-vars, ConfigMap slice-vars-1-def922 and none has SITE_CODE; add it there or give it a default (${SITE_CODE:=value}) (de-dev)",
    ],
  ],
  [
    "a resource a patch removes (not checked) next to one it keeps (checked)",
    (r) => {
      write(
        r,
        "catalog/slices/embb/monitor.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: slice-monitor\ndata:\n  endpoint: ${MONITOR_URL}\n",
      );
      edit(r, "catalog/slices/embb/kustomization.yaml", "  - slice.yaml", "  - slice.yaml\n  - monitor.yaml");
      write(
        r,
        "clusters/de-dev/overlays/embb/no-monitor.yaml",
        "$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: slice-monitor\n",
      );
      edit(
        r,
        "clusters/de-dev/overlays/embb/kustomization.yaml",
        "patches:\n",
        "patches:\n  - path: no-monitor.yaml\n",
      );
    },
    [
      "catalog/slices/embb/monitor.yaml:6: [variable] ${MONITOR_URL} has no value: Kustomization flux-system/slice-1-def922 substitutes from ConfigMap cluster-vars, ConfigMap slice-vars-1-def922 and none has MONITOR_URL; add it there or give it a default (${MONITOR_URL:=value}) (de-prod, local)",
    ],
  ],
  [
    "a missing patch file",
    (r) =>
      edit(
        r,
        "clusters/de-dev/overlays/embb/kustomization.yaml",
        "path: slice-lab.yaml",
        "path: slice-labs.yaml",
      ),
    [
      'clusters/de-dev/overlays/embb/kustomization.yaml:10: [path] patches.path file "slice-labs.yaml" does not exist (clusters/de-dev/overlays/embb/slice-labs.yaml) (de-dev)',
    ],
  ],
  [
    "a patch kustomize cannot apply",
    (r) =>
      edit(
        r,
        "clusters/de-dev/overlays/embb/slice-edge-subnet.yaml",
        "path: /spec/sliceSubnets/-",
        "path: /spec/subnets/0/name",
      ),
    [
      'clusters/de-dev/slices/1-def922/slice.yaml:15: [kustomize] Kustomization flux-system/slice-1-def922 path "./clusters/de-dev/overlays/embb": kustomize build fails: in clusters/de-dev/overlays/embb: add operation does not apply: doc is missing path: "/spec/subnets/0/name": missing value (de-dev)',
    ],
  ],
  [
    "a secretGenerator with literals, and one with a plain env file",
    (r) => {
      write(r, "clusters/de-dev/overlays/embb/vendor.env", "token=hunter2\n");
      edit(
        r,
        "clusters/de-dev/overlays/embb/kustomization.yaml",
        "configMapGenerator:",
        "secretGenerator:\n  - name: vendor\n    literals:\n      - token=hunter2\n  - name: vendor-env\n    envs:\n      - vendor.env\nconfigMapGenerator:",
      );
    },
    [
      "clusters/de-dev/overlays/embb/kustomization.yaml:19: [plaintext-secret] secretGenerator vendor: literals are secrets in plain text in Git: move them to an env file and encrypt it with `sops --encrypt --in-place <file>` (kustomize-controller decrypts it)",
      "clusters/de-dev/overlays/embb/kustomization.yaml:22: [plaintext-secret] secretGenerator vendor-env: clusters/de-dev/overlays/embb/vendor.env is not SOPS-encrypted, so the Secret's values are in plain text in Git: encrypt it with `sops --encrypt --in-place clusters/de-dev/overlays/embb/vendor.env`",
    ],
  ],
  [
    "a HelmRelease valuesFrom no ConfigMap matches",
    (r) => edit(r, "apps/network-functions/upf.yaml", "name: upf-values", "name: upf-settings"),
    [
      "apps/network-functions/upf.yaml:35: [reference] HelmRelease flux-system/upf: valuesFrom ConfigMap flux-system/upf-settings does not exist in the tree of de-dev; helm-controller would not install the release (mark it optional: true if it may be absent) (de-dev)",
      "apps/network-functions/upf.yaml:35: [reference] HelmRelease flux-system/upf: valuesFrom ConfigMap flux-system/upf-settings does not exist in the tree of de-prod; helm-controller would not install the release (mark it optional: true if it may be absent) (de-prod)",
      "apps/network-functions/upf.yaml:35: [reference] HelmRelease flux-system/upf: valuesFrom ConfigMap flux-system/upf-settings does not exist in the tree of local; helm-controller would not install the release (mark it optional: true if it may be absent) (local)",
    ],
  ],
];

describe("gitops:lint on broken copies", () => {
  it.each(cases)("%s", async (_name, breakIt, expected) => {
    expect(await lintBrokenCopy(breakIt)).toEqual(expected);
  });
});

describe("gitops:lint on SOPS-encrypted Secrets", () => {
  const encrypted = `apiVersion: v1
kind: Secret
metadata:
  name: vendor-credentials
  namespace: slices
data:
  token: ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]
sops:
  age:
    - recipient: age1qqqq
      enc: x
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.10.2
`;

  it("needs decryption on the Kustomization that applies them", async () => {
    const repo = copyOfShipped();
    try {
      write(repo, "apps/base/credentials.yaml", encrypted);
      edit(
        repo,
        "apps/base/kustomization.yaml",
        "  - namespace.yaml",
        "  - namespace.yaml\n  - credentials.yaml",
      );
      const finding = (p: string) =>
        `clusters/${p}/apps.yaml:8: [decryption] Kustomization flux-system/apps applies the SOPS-encrypted Secret vendor-credentials (apps/base/credentials.yaml) but has no decryption: add decryption: {provider: sops, secretRef: {name: sops-age}} (${p})`;
      expect(await lintLines(repo)).toEqual([finding("de-dev"), finding("de-prod"), finding("local")]);
      for (const p of ["local", "de-dev", "de-prod"])
        edit(
          repo,
          `clusters/${p}/apps.yaml`,
          "  prune: true",
          "  prune: true\n  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age",
        );
      expect(await lintLines(repo)).toEqual([]);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("gitops:lint on a prod root that follows a branch", () => {
  it("reports the stack file's ref", async () => {
    const contracts = shippedContracts();
    const prod = contracts.get("de-prod");
    if (!prod) throw new Error("test setup: no de-prod contract");
    contracts.set("de-prod", {
      ...prod,
      rootRef: { kind: "branch", value: "main", file: "Pulumi.prod.yaml", line: 30 },
    });
    expect(await lintLines(SHIPPED, contracts)).toEqual([
      "Pulumi.prod.yaml:30: [prod-ref] prod platform de-prod: the root source follows branch main; set flux.source.ref.tag or .semver (de-prod)",
    ]);
  });
});

describe("chart sources of charts this repository publishes", () => {
  const CHARTS = "apps/network-functions/oci/charts.yaml";
  it("follow the chart's version in Chart.yaml", async () => {
    expect(
      await lintBrokenCopy((r) =>
        edit(r, "charts/network-function/Chart.yaml", "version: 0.2.0", "version: 0.3.0"),
      ),
    ).toEqual([
      "apps/network-functions/oci/charts.yaml:15: [chart] OCIRepository flux-system/network-function-chart pulls chart network-function at 0.2.0, but charts/network-function/Chart.yaml is version 0.3.0: set ref.tag 0.3.0 (and publish it with npm run gitops:publish -- --charts-to) (de-dev)",
    ]);
    expect(await lintBrokenCopy((r) => edit(r, CHARTS, "    tag: 0.2.0", '    semver: ">=0.1.0"'))).toEqual([
      "apps/network-functions/oci/charts.yaml:15: [chart] OCIRepository flux-system/network-function-chart pulls chart network-function of this repository by semver range: pin ref.tag 0.2.0 (charts/network-function/Chart.yaml), so a fleet tag applies the chart it holds and a rollback rolls the chart back (de-dev)",
    ]);
  });
});
