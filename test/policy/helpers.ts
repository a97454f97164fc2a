/**
 * Fake validation arguments for the policy rules, as the engine passes them. The PolicyPack is never
 * constructed here (it starts a gRPC server).
 */
import type { PolicyResource, PolicyResourceOptions, ResourceValidationArgs } from "@pulumi/policy";
import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policy/rules";

export class NotApplicable extends Error {}

const OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

export interface FakeOptions {
  /** What `getConfig()` returns. */
  config?: object;
  name?: string;
  provider?: ResourceValidationArgs["provider"];
  parentUrn?: string;
}

/** Fake `ResourceValidationArgs` for one resource. */
export function resourceArgs(
  type: string,
  props: Record<string, unknown>,
  o: FakeOptions = {},
): ResourceValidationArgs {
  const name = o.name ?? "res";
  return {
    type,
    props,
    urn: `urn:pulumi:test::platform::${type}::${name}`,
    name,
    opts: { ...OPTS, ...(o.parentUrn ? { parent: o.parentUrn } : {}) },
    ...(o.provider ? { provider: o.provider } : {}),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => (o.config ?? {}) as T,
    notApplicable,
  };
}

/**
 * Messages a resource policy reports for one resource (rejects with NotApplicable when it says so).
 * The rule's promise is awaited, as the engine awaits it: a rule that reports after an await is seen.
 */
export async function violations(
  policy: PlatformResourcePolicy,
  type: string,
  props: Record<string, unknown>,
  o: FakeOptions = {},
): Promise<string[]> {
  const out: string[] = [];
  await policy.validateResource(resourceArgs(type, props, o), (m) => out.push(m));
  return out;
}

/** A fake PolicyResource; `parent` also sets the URN's type chain, as the engine's URNs carry it. */
export function resource(
  type: string,
  name: string,
  props: Record<string, unknown> = {},
  links: { parent?: PolicyResource; dependencies?: PolicyResource[]; provider?: PolicyResource } = {},
): PolicyResource {
  const chain = links.parent ? `${links.parent.urn.split("::")[2]}$${type}` : type;
  const r: PolicyResource = {
    type,
    name,
    urn: `urn:pulumi:test::platform::${chain}::${name}`,
    props,
    opts: { ...OPTS, ...(links.parent ? { parent: links.parent.urn } : {}) },
    dependencies: links.dependencies ?? [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
  if (links.parent) r.parent = links.parent;
  if (links.provider)
    r.provider = {
      type: links.provider.type,
      name: links.provider.name,
      urn: links.provider.urn,
      props: links.provider.props,
    };
  return r;
}

/** What a stack policy reports: message and the name of the resource it names, if any. */
export async function stackViolations(
  policy: PlatformStackPolicy,
  resources: PolicyResource[],
  config: object = {},
): Promise<{ message: string; resource?: string }[]> {
  const out: { message: string; resource?: string }[] = [];
  await policy.validateStack(
    { resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable },
    (message, urn) =>
      out.push({ message, ...(urn ? { resource: resources.find((r) => r.urn === urn)?.name } : {}) }),
  );
  return out;
}
