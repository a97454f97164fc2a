/**
 * The Flux upgrade e2e's checks (test/e2e/harness/upgrade.ts): the order of the writes in the audit
 * log (the migration's among them), stored versions against served ones, what etcd holds, UIDs, and
 * the install files it derives.
 */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../e2e/harness/kube";
import {
  brokenInstall,
  crdOrderProblems,
  etcdStoredVersions,
  labelledInstall,
  MIGRATION_AGENT,
  migrationCrdLists,
  migrationProblems,
  migrationWrites,
  storedVersionProblems,
  uidChanges,
  uidsOf,
  upgradeWrites,
  type WriteEvent,
} from "../../e2e/harness/upgrade";

const write = (
  at: string,
  resource: string,
  name: string,
  extra: Partial<WriteEvent> & { subresource?: string; namespace?: string } = {},
): WriteEvent => ({
  verb: extra.verb ?? "patch",
  requestURI: `/${resource}/${name}`,
  ...(extra.userAgent !== undefined ? { userAgent: extra.userAgent } : {}),
  user: extra.user ?? { username: "admin" },
  stage: extra.stage ?? "ResponseComplete",
  responseStatus: extra.responseStatus ?? { code: 200 },
  stageTimestamp: `2026-12-06T18:00:${at}Z`,
  objectRef: { resource, name, namespace: extra.namespace, subresource: extra.subresource },
});

const T0 = Date.parse("2026-12-06T18:00:00.000Z");
const GIT = "gitrepositories.source.toolkit.fluxcd.io";
const KS = "kustomizations.kustomize.toolkit.fluxcd.io";

describe("upgradeWrites / crdOrderProblems", () => {
  const events = [
    write("01.000000", "customresourcedefinitions", GIT),
    write("01.500000", "customresourcedefinitions", KS),
    // Not counted: before the upgrade, a status write, the cluster's own, a refused one, another CRD.
    write("00.000000", "deployments", "source-controller", { namespace: "flux-system" }),
    write("01.200000", "deployments", "source-controller", {
      namespace: "flux-system",
      subresource: "status",
    }),
    write("01.300000", "deployments", "source-controller", {
      namespace: "flux-system",
      verb: "update",
      user: { username: "system:serviceaccount:kube-system:deployment-controller" },
    }),
    write("01.400000", "deployments", "kustomize-controller", {
      namespace: "flux-system",
      responseStatus: { code: 422 },
    }),
    write("01.100000", "customresourcedefinitions", "widgets.example.com"),
    write("02.000000", "deployments", "source-controller", { namespace: "flux-system" }),
    write("02.250000", "deployments", "kustomize-controller", { namespace: "flux-system", verb: "update" }),
  ];
  it("reads the program's writes to the Flux CRDs and the controllers after the start, in ms", () => {
    expect(upgradeWrites(events, T0 + 500)).toEqual({
      crds: { [GIT]: [T0 + 1000], [KS]: [T0 + 1500] },
      deployments: { "source-controller": [T0 + 2000], "kustomize-controller": [T0 + 2250] },
    });
  });
  it("passes when every CRD was written before every controller", () => {
    expect(
      crdOrderProblems(
        upgradeWrites(events, T0 + 500),
        [GIT, KS],
        ["source-controller", "kustomize-controller"],
      ),
    ).toEqual([]);
  });
  it("names a controller written before a CRD's last write, and anything not written", () => {
    const early = [
      ...events,
      write("01.250000", "deployments", "source-controller", { namespace: "flux-system" }),
    ];
    expect(
      crdOrderProblems(
        upgradeWrites(early, T0 + 500),
        [GIT, KS, "buckets.source.toolkit.fluxcd.io"],
        ["source-controller", "helm-controller"],
      ),
    ).toEqual([
      "CRD buckets.source.toolkit.fluxcd.io was not written during the upgrade",
      "Deployment helm-controller was not written during the upgrade",
      `Deployment source-controller was written at 2026-12-06T18:00:01.250Z, before CRD ${KS}'s last write at 2026-12-06T18:00:01.500Z`,
    ]);
  });
});

describe("storedVersionProblems", () => {
  const crd = (stored: string[], versions: { name: string; served: boolean }[]) =>
    ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: GIT },
      spec: { versions },
      status: { storedVersions: stored },
    }) as KubeObject;
  it("accepts stored versions that are all served", () => {
    expect(storedVersionProblems([crd(["v1"], [{ name: "v1", served: true }])])).toEqual([]);
  });
  it("names a stored version no longer served", () => {
    expect(
      storedVersionProblems([
        crd(
          ["v1", "v1beta2"],
          [
            { name: "v1", served: true },
            { name: "v1beta2", served: false },
          ],
        ),
      ]),
    ).toEqual([
      `CRD ${GIT}: status.storedVersions lists v1beta2, which it no longer serves (serves v1): objects stored at v1beta2 were not migrated`,
    ]);
  });
});

describe("migrationProblems / migrationWrites / migrationCrdLists", () => {
  const mig = (
    at: string,
    verb: string,
    resource: string,
    name: string,
    extra: { subresource?: string; namespace?: string } = {},
  ) => write(at, resource, name, { ...extra, verb, userAgent: `${MIGRATION_AGENT}/1 (node)` });
  const events: WriteEvent[] = [
    { ...write("00.900000", "customresourcedefinitions", GIT), userAgent: "" }, // before the window
    mig("01.000000", "list", "customresourcedefinitions", ""),
    mig("01.100000", "update", "gitrepositories", "flux-system", { namespace: "flux-system" }),
    mig("01.200000", "update", "gitrepositories", "probe-1", { namespace: "flux-system" }),
    mig("01.300000", "patch", "customresourcedefinitions", GIT, { subresource: "status" }),
    write("01.400000", "customresourcedefinitions", GIT, { userAgent: "pulumi-resource-kubernetes" }),
    // Not counted: a controller's status write, a refused write.
    write("01.350000", "gitrepositories", "probe-2", {
      namespace: "flux-system",
      subresource: "status",
      user: { username: "system:serviceaccount:flux-system:source-controller" },
    }),
  ];
  it("passes when the migration wrote every object and the status before the program's CRD write", () => {
    expect(
      migrationProblems(events, T0 + 950, GIT, "gitrepositories", [
        "flux-system/flux-system",
        "flux-system/probe-1",
      ]),
    ).toEqual({
      problems: [],
      written: ["flux-system/flux-system", "flux-system/probe-1"],
      crdWrittenAt: T0 + 1400,
      lastMigrationWrite: T0 + 1300,
    });
    expect(migrationWrites(events, T0 + 950)).toEqual([
      "update gitrepositories flux-system/flux-system",
      "update gitrepositories flux-system/probe-1",
      `patch customresourcedefinitions/status ${GIT}`,
    ]);
    expect(migrationCrdLists(events, T0 + 950)).toBe(1);
  });
  it("names an object not written back, a missing status write, and a write after the CRD's", () => {
    const late = [
      ...events.filter(
        (e) => e.objectRef?.subresource !== "status" || !e.userAgent?.startsWith(MIGRATION_AGENT),
      ),
      mig("01.500000", "update", "gitrepositories", "probe-3", { namespace: "flux-system" }),
    ];
    expect(
      migrationProblems(late, T0 + 950, GIT, "gitrepositories", [
        "flux-system/probe-1",
        "flux-system/probe-2",
      ]).problems,
    ).toEqual([
      "gitrepositories flux-system/probe-2 was not written back by the migration",
      `the migration did not set the storedVersions of CRD ${GIT}`,
      `the migration's update of gitrepositories flux-system/probe-3 at 2026-12-06T18:00:01.500Z came after the program's first write of CRD ${GIT} at 2026-12-06T18:00:01.400Z`,
    ]);
  });
});

describe("etcdStoredVersions", () => {
  it("reads the apiVersion each object is stored at, by namespace/name", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const prefix = "/registry/source.toolkit.fluxcd.io/gitrepositories/";
    expect(
      etcdStoredVersions(
        {
          kvs: [
            {
              key: b64(`${prefix}flux-system/a`),
              value: b64('{"apiVersion":"source.toolkit.fluxcd.io/v1beta2","kind":"GitRepository"}'),
            },
            {
              key: b64(`${prefix}x/b`),
              value: b64('{"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"GitRepository"}'),
            },
          ],
        },
        prefix,
      ),
    ).toEqual({ "flux-system/a": "source.toolkit.fluxcd.io/v1beta2", "x/b": "source.toolkit.fluxcd.io/v1" });
  });
});

describe("uidChanges", () => {
  const obj = (kind: string, name: string, uid: string, namespace?: string) =>
    ({ apiVersion: "v1", kind, metadata: { name, namespace, uid } }) as KubeObject;
  it("names objects deleted or re-created, and nothing else", () => {
    const before = uidsOf([
      obj("Secret", "a", "1", "flux-system"),
      obj("Namespace", "n", "2"),
      obj("Secret", "b", "3", "x"),
    ]);
    expect(before).toEqual({ "Secret flux-system/a": "1", "Namespace /n": "2", "Secret x/b": "3" });
    const after = uidsOf([
      obj("Secret", "a", "1", "flux-system"),
      obj("Namespace", "n", "9"),
      obj("Secret", "c", "4", "x"),
    ]);
    expect(uidChanges(before, after)).toEqual([
      "Namespace /n was re-created (uid 2 → 9)",
      "Secret x/b was deleted",
    ]);
  });
  it("refuses two objects with one key (list items whose kind was not named)", () => {
    const noKind = (name: string, uid: string) =>
      ({ apiVersion: "v1", metadata: { name, namespace: "flux-system", uid } }) as unknown as KubeObject;
    expect(() => uidsOf([noKind("a", "1"), noKind("a", "2")])).toThrow(
      "undefined flux-system/a listed twice: name each object's kind",
    );
  });
});

describe("install files", () => {
  const install = [
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: source-controller\n  namespace: flux-system\n  labels:\n    app.kubernetes.io/part-of: flux\n",
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${GIT}\nspec:\n  versions:\n    - name: v1\n      served: true\n      storage: true\n`,
  ].join("---\n");
  it("labels every object with the release, as the release asset does", () => {
    const docs = parseAllDocuments(labelledInstall(install, "2.9.2")).map((d) => d.toJSON() as KubeObject);
    expect(docs.map((d) => d.metadata.labels)).toEqual([
      { "app.kubernetes.io/part-of": "flux", "app.kubernetes.io/version": "v2.9.2" },
      { "app.kubernetes.io/version": "v2.9.2" },
    ]);
  });
  it("breaks one CRD (no storage version), and refuses a CRD it does not have", () => {
    const docs = parseAllDocuments(brokenInstall(install, GIT)).map((d) => d.toJSON() as KubeObject);
    expect(docs[1].spec).toEqual({ versions: [{ name: "v1", served: true, storage: false }] });
    expect(docs[0]).toEqual(parseAllDocuments(install)[0].toJSON());
    expect(() => brokenInstall(install, "nope.fluxcd.io")).toThrow(
      "the install has no CustomResourceDefinition nope.fluxcd.io",
    );
  });
});
