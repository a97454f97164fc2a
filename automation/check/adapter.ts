/**
 * Adapts the offline render's RecordedResource to the shapes the real policy engine hands to the
 * rules (`PolicyResource`, `ResourceValidationArgs`): props are the recorded inputs (secrets
 * redacted), `parent`, `dependencies` and `provider` are resolved from the recorded `type::name`
 * references, as the engine resolves them from URNs, and `propertyDependencies` from inputs that
 * hold another resource's offline id.
 */
import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import type { RecordedResource } from "../render/engine";

const ident = (r: Pick<RecordedResource, "type" | "name">) => `${r.type}::${r.name}`;

/** Options as the engine reports them for a resource registered without protect, aliases or timeouts. */
function optionsOf(parentUrn: string | undefined): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parentUrn ? { parent: parentUrn } : {}),
  };
}

/** `isType` of the engine: compares the type token a generated resource class carries. */
export function isTypeFn(type: string): PolicyResource["isType"] {
  return (cls) => (cls as unknown as { __pulumiType?: string }).__pulumiType === type;
}

/**
 * The id the offline engine gives a custom resource (`<name>-id`, see runOnMocks). Inputs that hold
 * another resource's id (a node group's `subnetIds`) are how the engine's `propertyDependencies`
 * are recovered offline.
 */
export const offlineId = (r: Pick<RecordedResource, "name">) => `${r.name}-id`;

function propertyDependencies(
  rec: RecordedResource,
  byOfflineId: Map<string, PolicyResource[]>,
): Record<string, PolicyResource[]> {
  const out: Record<string, PolicyResource[]> = {};
  for (const [key, value] of Object.entries(rec.inputs)) {
    // Resources of different types may share a name, hence an id: keep every candidate.
    const deps = (Array.isArray(value) ? value : [value]).flatMap((v) =>
      typeof v === "string" ? (byOfflineId.get(v) ?? []) : [],
    );
    if (deps.length) out[key] = deps;
  }
  return out;
}

/** Every recorded resource as a PolicyResource, with parent, dependencies and provider linked. */
export function toPolicyResources(recorded: RecordedResource[]): PolicyResource[] {
  const byId = new Map<string, { rec: RecordedResource; res: PolicyResource }>();
  for (const rec of recorded) {
    const isType = isTypeFn(rec.type);
    const res: PolicyResource = {
      type: rec.type,
      name: rec.name,
      urn: rec.urn,
      props: rec.inputs,
      opts: optionsOf(undefined),
      dependencies: [],
      propertyDependencies: {},
      isType,
      asType: ((cls: Parameters<typeof isType>[0]) =>
        isType(cls) ? rec.inputs : undefined) as PolicyResource["asType"],
    };
    byId.set(ident(rec), { rec, res });
  }
  const byOfflineId = new Map<string, PolicyResource[]>();
  for (const { rec, res } of byId.values())
    if (!rec.component) byOfflineId.set(offlineId(rec), [...(byOfflineId.get(offlineId(rec)) ?? []), res]);
  for (const { rec, res } of byId.values()) {
    res.propertyDependencies = propertyDependencies(rec, byOfflineId);
    const parent = rec.parent ? byId.get(rec.parent)?.res : undefined;
    if (parent) {
      res.parent = parent;
      res.opts = optionsOf(parent.urn);
    }
    res.dependencies = rec.dependsOn.flatMap((d) => {
      const dep = byId.get(d)?.res;
      return dep ? [dep] : [];
    });
    const provider = rec.provider ? byId.get(rec.provider)?.res : undefined;
    if (provider) res.provider = providerOf(provider);
  }
  return [...byId.values()].map((v) => v.res);
}

function providerOf(p: PolicyResource): PolicyProviderResource {
  return { type: p.type, name: p.name, urn: p.urn, props: p.props };
}
