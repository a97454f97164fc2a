/** Flux install guardrails: an exact Flux version, and Flux's network policies. */
import type { PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import {
  asList,
  asRecord,
  describeObject,
  groupFiles,
  groupObjects,
  isFluxObject,
  isObjectGroup,
  k8sMeta,
  TYPES,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
} from "./common";

/** `flux` as a word start in a chart or URL (flux2, fluxcd, flux-operator; not influxdb). */
const FLUX_WORD = /(^|[^a-z])flux/i;

/**
 * True for a resource that installs Flux as the engine shows it: a FluxInstance, a Flux Helm release,
 * or a manifests group whose `objs`/`files` are Flux's (offline; with the real engine the group's
 * objects are its children, see `isFluxInstallIn` in stack.ts).
 */
export function isFluxInstall(type: string, props: Record<string, unknown>): boolean {
  if (TYPES.fluxInstance.test(type)) return true;
  if (type === TYPES.helmRelease) return FLUX_WORD.test(String(props.chart ?? ""));
  if (!isObjectGroup(type)) return false;
  return groupObjects(props).some(isFluxObject) || groupFiles(props).some((f) => FLUX_WORD.test(f));
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const EXACT_VERSION = /^v?\d+\.\d+\.\d+$/;

/** True when an image reference names a fixed version: a digest, or a tag other than `latest`. */
export function imagePinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const last = image.split("/").pop() ?? "";
  const tag = last.includes(":") ? last.split(":").pop() : undefined;
  return tag !== undefined && tag !== "" && tag !== "latest";
}

function containerImages(obj: Record<string, unknown>): string[] {
  const pod = asRecord(asRecord(asRecord(obj.spec)?.template)?.spec);
  return [...asList(pod?.containers), ...asList(pod?.initContainers)]
    .map((c) => asRecord(c)?.image)
    .filter((i): i is string => typeof i === "string");
}

const PIN_RULE = "The Flux version must be pinned";

function checkPinned(args: ResourceValidationArgs, report: ReportViolation): void {
  const props = args.props;
  if (TYPES.fluxInstance.test(args.type)) {
    const v = asRecord(asRecord(props.spec)?.distribution)?.version;
    const what = describeObject("FluxInstance", props);
    if (typeof v !== "string" || v === "")
      report(
        `${PIN_RULE}: ${what} has no spec.distribution.version; set flux.version to an exact version such as 2.9.4.`,
      );
    else if (!EXACT_VERSION.test(v))
      report(
        `${PIN_RULE}: ${what} spec.distribution.version is "${v}", a range or tag that moves with new releases; set an exact version such as 2.9.4.`,
      );
  } else if (args.type === TYPES.helmRelease) {
    const v = props.version;
    if (typeof v !== "string" || !EXACT_VERSION.test(v))
      report(
        `${PIN_RULE}: Helm release of chart ${String(props.chart)} has ${typeof v === "string" && v ? `version "${v}"` : "no version"}; set version to an exact chart version.`,
      );
  } else if (args.type === DEPLOYMENT) {
    checkImages(props, report);
  } else {
    for (const f of groupFiles(props).filter((f) => /^https?:\/\//.test(f)))
      if (/\/latest\//.test(f) || !/v?\d+\.\d+\.\d+/.test(f))
        report(
          `${PIN_RULE}: the install manifests ${f} do not name an exact release; use the asset of a fixed version, e.g. https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml.`,
        );
    for (const o of groupObjects(props).filter(isFluxObject)) checkImages(o, report);
  }
}

function checkImages(obj: Record<string, unknown>, report: ReportViolation): void {
  for (const image of containerImages(obj).filter((i) => !imagePinned(i)))
    report(
      `${PIN_RULE}: ${describeObject(String(obj.kind ?? "Deployment"), obj)} uses image "${image}" without a fixed tag; pin it to the controller version of the Flux release.`,
    );
}

export const fluxVersionPinned: PlatformResourcePolicy = {
  name: "flux-version-pinned",
  description: "Flux is installed at an exact version: no latest, no ranges, no untagged images.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    const controller = args.type === DEPLOYMENT && isFluxObject(args.props);
    if (controller || isFluxInstall(args.type, args.props)) checkPinned(args, report);
  },
};

/** Kubernetes objects of the stack: typed resources, and the `objs` of groups the engine shows without children. */
export function stackObjects(
  resources: PolicyResource[],
): { object: Record<string, unknown>; resource: PolicyResource }[] {
  const out: { object: Record<string, unknown>; resource: PolicyResource }[] = [];
  for (const r of resources) {
    if (isObjectGroup(r.type)) {
      if (!resources.some((c) => c.parent?.urn === r.urn))
        for (const o of groupObjects(r.props)) out.push({ object: o, resource: r });
    } else if (r.type.startsWith("kubernetes:")) {
      // Only kind and metadata: other outputs may be unknown during a preview.
      out.push({ object: { kind: r.type.split(":").pop(), metadata: r.props.metadata }, resource: r });
    }
  }
  return out;
}

export const fluxNetworkPolicies: PlatformStackPolicy = {
  name: "flux-network-policies",
  description: "Flux is installed with its network policies (allow-egress, allow-scraping, allow-webhooks).",
  severity: "medium",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const rule = "Flux must be installed with its network policies";
    const fix = "keep flux.install.networkPolicy true (the default)";
    for (const r of args.resources.filter((r) => TYPES.fluxInstance.test(r.type)))
      if (asRecord(asRecord(r.props.spec)?.cluster)?.networkPolicy === false)
        report(
          `${rule}: ${describeObject("FluxInstance", r.props)} sets spec.cluster.networkPolicy false; ${fix}.`,
          r.urn,
        );
    const objects = stackObjects(args.resources);
    const controllers = objects.filter((o) => o.object.kind === "Deployment" && isFluxObject(o.object));
    for (const namespace of new Set(controllers.map((c) => k8sMeta(c.object).namespace ?? "default"))) {
      const inNamespace = (o: { object: Record<string, unknown> }) =>
        (k8sMeta(o.object).namespace ?? "default") === namespace;
      if (objects.some((o) => o.object.kind === "NetworkPolicy" && inNamespace(o))) continue;
      const first = controllers.find(inNamespace);
      report(
        `${rule}: the Flux controllers in namespace ${namespace} are installed without any NetworkPolicy; ${fix}.`,
        first?.resource.urn,
      );
    }
  },
};

export const fluxInstallPolicies = [fluxVersionPinned, fluxNetworkPolicies];
