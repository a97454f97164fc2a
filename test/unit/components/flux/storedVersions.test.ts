/**
 * The stored-version migration (components/flux/migrate): on a fake client at the module seam, the
 * exact requests it makes (which objects are written back, the exact status patch), nothing
 * written when nothing needs it, other CRDs untouched, and its exact errors and summary.
 */
import {
  CONFLICT_ATTEMPTS,
  installCrdVersions,
  migrateStoredVersions,
  migrationSummary,
  storedVersionsProvider,
  type CrdObject,
  type MigrationClient,
  type ResourceRef,
  type StoredObject,
} from "../../../../components/flux/migrate";
import type { K8sObject } from "../../../../components/flux/objects";

const NOTIFICATION = "notification.toolkit.fluxcd.io";
const ALERTS = `alerts.${NOTIFICATION}`;
const PROVIDERS = `providers.${NOTIFICATION}`;
const GIT = "gitrepositories.source.toolkit.fluxcd.io";

const crd = (name: string, kind: string, versions: [string, boolean][], stored: string[]): CrdObject => {
  const [plural, ...group] = name.split(".");
  return {
    metadata: { name },
    spec: {
      group: group.join("."),
      names: { kind, plural },
      versions: versions.map(([v, storage]) => ({ name: v, served: true, storage })),
    },
    status: { storedVersions: stored },
  };
};
const obj = (apiVersion: string, kind: string, namespace: string, name: string, rv = "1"): StoredObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    namespace,
    resourceVersion: rv,
    managedFields: [
      { manager: "kustomize-controller", operation: "Apply", apiVersion: `${NOTIFICATION}/v1beta2` },
      { manager: "notification-controller", operation: "Update", apiVersion: `${NOTIFICATION}/v1beta3` },
    ],
  },
  spec: { eventSeverity: "info" },
});
/** The object written back: as read, its managed fields at `apiVersion`. */
const back = (o: StoredObject, apiVersion: string): StoredObject => ({
  ...o,
  metadata: {
    ...o.metadata,
    managedFields: [
      { manager: "kustomize-controller", operation: "Apply", apiVersion },
      { manager: "notification-controller", operation: "Update", apiVersion },
    ],
  },
});

type Call = [string, ...unknown[]];
/** A fake cluster: CRDs, objects per `group/version/plural`, and errors to answer with, in order. */
function fakeClient(
  crds: CrdObject[],
  objects: Record<string, StoredObject[]> = {},
  replaceErrors: Record<string, number[]> = {},
  fresh: Record<string, StoredObject | undefined> = {},
) {
  const calls: Call[] = [];
  const key = (r: ResourceRef) => `${r.group}/${r.version}/${r.plural}`;
  const fail = (status: number) =>
    Object.assign(new Error(`PUT …: HTTP ${status}: the server said no`), { status });
  const client: MigrationClient = {
    async listCrds() {
      calls.push(["listCrds"]);
      return crds;
    },
    async list(ref) {
      calls.push(["list", key(ref)]);
      return objects[key(ref)] ?? [];
    },
    async get(ref, namespace, name) {
      calls.push(["get", key(ref), namespace, name]);
      return fresh[`${namespace}/${name}`];
    },
    async replace(ref, o) {
      calls.push(["replace", key(ref), o]);
      const status = replaceErrors[`${o.metadata.namespace}/${o.metadata.name}`]?.shift();
      if (status) throw fail(status);
    },
    async setStoredVersions(name, versions) {
      calls.push(["setStoredVersions", name, versions]);
    },
  };
  return { client, calls };
}

const AFTER =
  "Nothing of the Flux install has changed yet: fix the cause and run `pulumi up` again (or run the new release's `flux migrate` against the cluster first).";
const v1beta3 = `${NOTIFICATION}/v1beta3`;
const notificationCrds = [
  crd(
    ALERTS,
    "Alert",
    [
      ["v1beta2", false],
      ["v1beta3", true],
    ],
    ["v1beta2", "v1beta3"],
  ),
  crd(
    PROVIDERS,
    "Provider",
    [
      ["v1beta2", false],
      ["v1beta3", true],
    ],
    ["v1beta3", "v1beta2"],
  ),
  crd(GIT, "GitRepository", [["v1", true]], ["v1"]),
];
const install = {
  [ALERTS]: { storage: "v1beta3", versions: ["v1beta3"] },
  [PROVIDERS]: { storage: "v1beta3", versions: ["v1beta3"] },
  [GIT]: { storage: "v1", versions: ["v1"] },
};

describe("migrateStoredVersions", () => {
  it("writes back every object of a CRD with another stored version, then sets its storedVersions to the storage version", async () => {
    const alerts = [
      obj(v1beta3, "Alert", "flux-system", "on-call"),
      obj(v1beta3, "Alert", "tenant-a", "slack"),
    ];
    const providers = [obj(v1beta3, "Provider", "flux-system", "slack")];
    const { client, calls } = fakeClient(notificationCrds, {
      [`${NOTIFICATION}/v1beta3/alerts`]: alerts,
      [`${NOTIFICATION}/v1beta3/providers`]: providers,
    });
    const migrated = await migrateStoredVersions(client, install, "2.9.4");
    expect(calls).toEqual([
      ["listCrds"],
      ["list", `${NOTIFICATION}/v1beta3/alerts`],
      ["replace", `${NOTIFICATION}/v1beta3/alerts`, back(alerts[0], v1beta3)],
      ["replace", `${NOTIFICATION}/v1beta3/alerts`, back(alerts[1], v1beta3)],
      ["setStoredVersions", ALERTS, ["v1beta3"]],
      ["list", `${NOTIFICATION}/v1beta3/providers`],
      ["replace", `${NOTIFICATION}/v1beta3/providers`, back(providers[0], v1beta3)],
      ["setStoredVersions", PROVIDERS, ["v1beta3"]],
    ]);
    expect(migrated).toEqual([
      {
        crd: ALERTS,
        kind: "Alert",
        from: ["v1beta2"],
        storage: "v1beta3",
        objects: ["flux-system/on-call", "tenant-a/slack"],
      },
      {
        crd: PROVIDERS,
        kind: "Provider",
        from: ["v1beta2"],
        storage: "v1beta3",
        objects: ["flux-system/slack"],
      },
    ]);
    expect(migrationSummary(migrated)).toBe(
      `Flux stored versions: migrated 2 Alerts, 1 Provider; storedVersions of ${ALERTS} set to [v1beta3], of ${PROVIDERS} set to [v1beta3]`,
    );
  });

  it("lists the CRDs once and writes nothing when every Flux CRD stores only its storage version", async () => {
    const { client, calls } = fakeClient([crd(GIT, "GitRepository", [["v1", true]], ["v1"])]);
    expect(await migrateStoredVersions(client, install, "2.9.4")).toEqual([]);
    expect(calls).toEqual([["listCrds"]]);
    expect(migrationSummary([])).toBe("Flux stored versions: nothing to migrate");
  });

  it("leaves CRDs outside Flux's toolkit groups alone, the Flux Operator's included", async () => {
    const { client, calls } = fakeClient([
      crd(
        "widgets.example.com",
        "Widget",
        [
          ["v1", false],
          ["v2", true],
        ],
        ["v1", "v2"],
      ),
      crd("fluxinstances.fluxcd.controlplane.io", "FluxInstance", [["v1", true]], ["v1alpha1", "v1"]),
    ]);
    expect(await migrateStoredVersions(client, {}, "2.9.4")).toEqual([]);
    expect(calls).toEqual([["listCrds"]]);
  });

  it("reads an object again and retries when it changed meanwhile (409), and skips one deleted meanwhile (404)", async () => {
    const a = obj(v1beta3, "Alert", "flux-system", "on-call", "1");
    const gone = obj(v1beta3, "Alert", "flux-system", "gone", "1");
    const newer = obj(v1beta3, "Alert", "flux-system", "on-call", "2");
    const { client, calls } = fakeClient(
      [notificationCrds[0]],
      { [`${NOTIFICATION}/v1beta3/alerts`]: [a, gone] },
      { "flux-system/on-call": [409], "flux-system/gone": [404] },
      { "flux-system/on-call": newer },
    );
    const migrated = await migrateStoredVersions(client, install, "2.9.4");
    expect(calls).toEqual([
      ["listCrds"],
      ["list", `${NOTIFICATION}/v1beta3/alerts`],
      ["replace", `${NOTIFICATION}/v1beta3/alerts`, back(a, v1beta3)],
      ["get", `${NOTIFICATION}/v1beta3/alerts`, "flux-system", "on-call"],
      ["replace", `${NOTIFICATION}/v1beta3/alerts`, back(newer, v1beta3)],
      ["replace", `${NOTIFICATION}/v1beta3/alerts`, back(gone, v1beta3)],
      ["setStoredVersions", ALERTS, ["v1beta3"]],
    ]);
    expect(migrated[0].objects).toEqual(["flux-system/on-call"]);
  });

  it(`gives up on an object still changing after ${CONFLICT_ATTEMPTS} attempts, naming it`, async () => {
    const a = obj(v1beta3, "Alert", "flux-system", "on-call");
    const { client, calls } = fakeClient(
      [notificationCrds[0]],
      { [`${NOTIFICATION}/v1beta3/alerts`]: [a] },
      { "flux-system/on-call": [409, 409, 409, 409, 409] },
      { "flux-system/on-call": a },
    );
    await expect(migrateStoredVersions(client, install, "2.9.4")).rejects.toThrow(
      `migrating Alert flux-system/on-call (CRD ${ALERTS}) to v1beta3: PUT …: HTTP 409: the server said no (still changing after 5 attempts). ${AFTER}`,
    );
    expect(calls.filter((c) => c[0] === "replace")).toHaveLength(5);
    expect(calls.filter((c) => c[0] === "setStoredVersions")).toEqual([]);
  });

  it("stops at an object the API server refuses, naming the CRD and the object, before the status", async () => {
    const a = obj(v1beta3, "Alert", "tenant-a", "slack");
    const { client, calls } = fakeClient(
      [notificationCrds[0]],
      { [`${NOTIFICATION}/v1beta3/alerts`]: [a] },
      { "tenant-a/slack": [422] },
    );
    await expect(migrateStoredVersions(client, install, "2.9.4")).rejects.toThrow(
      `migrating Alert tenant-a/slack (CRD ${ALERTS}) to v1beta3: PUT …: HTTP 422: the server said no. ${AFTER}`,
    );
    expect(calls.map((c) => c[0])).toEqual(["listCrds", "list", "replace"]);
  });

  it("refuses, before any write, a CRD stored at a version the new release's CRD drops", async () => {
    const { client, calls } = fakeClient([
      crd(
        GIT,
        "GitRepository",
        [
          ["v1beta2", true],
          ["v1", false],
        ],
        ["v1beta2"],
      ),
      notificationCrds[0],
    ]);
    await expect(
      migrateStoredVersions(client, { ...install, [GIT]: { storage: "v1", versions: ["v1"] } }, "2.9.4"),
    ).rejects.toThrow(
      `CRD ${GIT} stores its objects at v1beta2, which Flux 2.9.4's CRD no longer lists (it lists v1): they cannot be moved to v1 before that CRD is applied. Upgrade to a Flux release whose CRD stores ${GIT} at v1 first, then to 2.9.4. Nothing has changed on the cluster.`,
    );
    expect(calls).toEqual([["listCrds"]]);
  });
});

describe("installCrdVersions", () => {
  it("reads each install CRD's storage version and every version it lists", () => {
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: ALERTS },
        spec: {
          versions: [
            { name: "v1beta2", served: false, storage: false },
            { name: "v1beta3", served: true, storage: true },
          ],
        },
      },
    ] as K8sObject[];
    expect(installCrdVersions(objects)).toEqual({
      [ALERTS]: { storage: "v1beta3", versions: ["v1beta2", "v1beta3"] },
    });
  });
});

describe("the dynamic provider's diff", () => {
  const olds = { fluxVersion: "2.9.2", crds: install, migrated: [], summary: "" };
  it("runs again when the release or the install's CRDs change, not for a new kubeconfig alone", async () => {
    const diff = storedVersionsProvider.diff!;
    expect(await diff("id", olds, { kubeconfig: "new", fluxVersion: "2.9.2", crds: install })).toEqual({
      changes: false,
    });
    expect(await diff("id", olds, { kubeconfig: "x", fluxVersion: "2.9.4", crds: install })).toEqual({
      changes: true,
    });
    expect(
      await diff("id", olds, { kubeconfig: "x", fluxVersion: "2.9.2", crds: { [GIT]: install[GIT] } }),
    ).toEqual({ changes: true });
  });
});
