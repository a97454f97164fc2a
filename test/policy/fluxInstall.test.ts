import {
  fluxNetworkPolicies,
  fluxVersionPinned,
  imagePinned,
  isFluxInstall,
} from "../../policy/rules/fluxInstall";
import { resource, stackViolations, violations } from "./helpers";

const INSTANCE = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const FLUX = { "app.kubernetes.io/part-of": "flux" };

const deployment = (image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "source-controller", namespace: "flux-system", labels: FLUX },
  spec: { template: { spec: { containers: [{ name: "manager", image }] } } },
});
const netpol = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-egress", namespace: "flux-system", labels: FLUX },
};
const instance = (spec: object) => ({ metadata: { name: "flux", namespace: "flux-system" }, spec });
const RELEASE_URL = "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml";

describe("flux-version-pinned", () => {
  const RULE = "The Flux version must be pinned";
  it("passes exact versions in every install form", async () => {
    expect(
      await violations(fluxVersionPinned, INSTANCE, instance({ distribution: { version: "2.9.4" } })),
    ).toEqual([]);
    expect(
      await violations(fluxVersionPinned, RELEASE, {
        chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
        version: "0.33.0",
      }),
    ).toEqual([]);
    expect(await violations(fluxVersionPinned, GROUP, { files: [RELEASE_URL] })).toEqual([]);
    expect(
      await violations(fluxVersionPinned, GROUP, {
        objs: [deployment("ghcr.io/fluxcd/source-controller:v1.9.4"), netpol],
      }),
    ).toEqual([]);
    expect(
      await violations(fluxVersionPinned, DEPLOYMENT, deployment("ghcr.io/fluxcd/source-controller:v1.9.4")),
    ).toEqual([]);
  });
  it("ignores groups, releases and Deployments that are not Flux", async () => {
    expect(
      await violations(fluxVersionPinned, GROUP, { files: ["https://example.com/latest/app.yaml"] }),
    ).toEqual([]);
    expect(await violations(fluxVersionPinned, RELEASE, { chart: "cert-manager" })).toEqual([]);
    expect(await violations(fluxVersionPinned, RELEASE, { chart: "influxdb" })).toEqual([]);
    expect(await violations(fluxVersionPinned, GROUP, { files: ["manifests/flux/install.yaml"] })).toEqual(
      [],
    );
    expect(
      await violations(fluxVersionPinned, DEPLOYMENT, {
        ...deployment("app:latest"),
        metadata: { name: "app" },
      }),
    ).toEqual([]);
  });
  it("fails a FluxInstance without a version, or with a range", async () => {
    expect(await violations(fluxVersionPinned, INSTANCE, instance({ distribution: {} }))).toEqual([
      `${RULE}: FluxInstance flux-system/flux has no spec.distribution.version; set flux.version to an exact version such as 2.9.4.`,
    ]);
    expect(
      await violations(fluxVersionPinned, INSTANCE, instance({ distribution: { version: "2.x" } })),
    ).toEqual([
      `${RULE}: FluxInstance flux-system/flux spec.distribution.version is "2.x", a range or tag that moves with new releases; set an exact version such as 2.9.4.`,
    ]);
  });
  it("fails an unpinned Flux Helm release", async () => {
    expect(await violations(fluxVersionPinned, RELEASE, { chart: "flux2" })).toEqual([
      `${RULE}: Helm release of chart flux2 has no version; set version to an exact chart version.`,
    ]);
  });
  it("fails install manifests from a latest URL", async () => {
    const url = "https://github.com/fluxcd/flux2/releases/latest/download/install.yaml";
    expect(await violations(fluxVersionPinned, GROUP, { files: [url] })).toEqual([
      `${RULE}: the install manifests ${url} do not name an exact release; use the asset of a fixed version, e.g. https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml.`,
    ]);
  });
  it("fails controller images without a fixed tag, in a group's objs (offline) or as the group's children (engine)", async () => {
    const message = (image: string) =>
      `${RULE}: Deployment flux-system/source-controller uses image "${image}" without a fixed tag; pin it to the controller version of the Flux release.`;
    const untagged = "registry.local:5000/fluxcd/source-controller";
    expect(await violations(fluxVersionPinned, GROUP, { objs: [deployment(untagged)] })).toEqual([
      message(untagged),
    ]);
    const latest = "ghcr.io/fluxcd/source-controller:latest";
    expect(await violations(fluxVersionPinned, DEPLOYMENT, deployment(latest))).toEqual([message(latest)]);
  });
  it("reads image references and recognizes Flux installs", () => {
    expect(imagePinned("ghcr.io/fluxcd/source-controller@sha256:abc")).toBe(true);
    expect(imagePinned("localhost:5000/source-controller")).toBe(false);
    expect(isFluxInstall(GROUP, { objs: [{ kind: "ConfigMap", metadata: { name: "x" } }] })).toBe(false);
    expect(isFluxInstall(GROUP, { objs: [deployment("x:v1")] })).toBe(true);
  });
});

describe("flux-network-policies", () => {
  const RULE = "Flux must be installed with its network policies";
  const FIX = "keep flux.install.networkPolicy true (the default)";
  it("passes installs with network policies, upstream manifests from a URL, and a FluxInstance with them on", async () => {
    expect(
      await stackViolations(fluxNetworkPolicies, [
        resource(GROUP, "install", { objs: [deployment("x:v1"), netpol] }),
      ]),
    ).toEqual([]);
    expect(
      await stackViolations(fluxNetworkPolicies, [resource(GROUP, "install", { files: [RELEASE_URL] })]),
    ).toEqual([]);
    const group = resource(GROUP, "install");
    const children = [
      resource(DEPLOYMENT, "flux-system/source-controller", deployment("x:v1"), { parent: group }),
      resource(NETPOL, "flux-system/allow-egress", netpol, { parent: group }),
    ];
    expect(await stackViolations(fluxNetworkPolicies, [group, ...children])).toEqual([]);
    expect(
      await stackViolations(fluxNetworkPolicies, [
        resource(INSTANCE, "i", instance({ cluster: { networkPolicy: true } })),
      ]),
    ).toEqual([]);
  });
  it("fails install manifests without NetworkPolicy objects, offline (objs) and with the engine (children)", async () => {
    const message = {
      message: `${RULE}: the Flux controllers in namespace flux-system are installed without any NetworkPolicy; ${FIX}.`,
      resource: "install",
    };
    expect(
      await stackViolations(fluxNetworkPolicies, [
        resource(GROUP, "install", { objs: [deployment("x:v1")] }),
      ]),
    ).toEqual([message]);
    const group = resource(GROUP, "install");
    const child = resource(DEPLOYMENT, "source-controller", deployment("x:v1"), { parent: group });
    expect(await stackViolations(fluxNetworkPolicies, [group, child])).toEqual([
      { ...message, resource: "source-controller" },
    ]);
  });
  it("fails a FluxInstance that turns them off", async () => {
    expect(
      await stackViolations(fluxNetworkPolicies, [
        resource(INSTANCE, "i", instance({ cluster: { networkPolicy: false } })),
      ]),
    ).toEqual([
      {
        message: `${RULE}: FluxInstance flux-system/flux sets spec.cluster.networkPolicy false; ${FIX}.`,
        resource: "i",
      },
    ]);
  });
});
