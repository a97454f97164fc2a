/**
 * An offline Pulumi engine: runs the real program on Pulumi's mock monitor and records every
 * resource with its inputs and options. The offline render and the unit tests share it.
 * It fails on a duplicate URN (the mock monitor silently overwrites; the real engine errors) and on
 * an invoke it has no answer for.
 */
import * as pulumi from "@pulumi/pulumi";
import { waitForRPCs } from "../../stacks/pulumiInternals";
import { leanRuntime } from "./leanRuntime";
import { cacheProviderSerialization } from "./providerCache";

/** Pulumi's secret signature, as secret values reach the mock monitor. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface RecordedResource {
  /** Type token, e.g. `kubernetes:core/v1:Secret`. */
  type: string;
  /** Logical name. */
  name: string;
  /** URN-like identity: parent type chain, type and name. Unique per stack. */
  urn: string;
  /** Component resource (true) or custom resource (false). */
  component: boolean;
  /** `type::name` of the parent, undefined for children of the stack. */
  parent?: string;
  /** `type::name` of each explicit dependency. */
  dependsOn: string[];
  /** `type::name` of the explicit provider, if any. */
  provider?: string;
  /**
   * Inputs as the engine received them; secrets still wrapped in Pulumi's signature; assets and
   * archives as `{ fileAsset: path }`, `{ stringAsset: text }`, `{ fileArchive: path }`, ….
   */
  inputs: Record<string, unknown>;
}

/** Deterministic stand-ins for what only the cloud knows (ids, ARNs, generated keys). */
export type OutputPlaceholders = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
) => Record<string, unknown>;

/** Answers to invokes (`aws:index/getCallerIdentity:getCallerIdentity`, …); anything else fails. */
export type InvokeAnswers = Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;

export interface RunOptions {
  project: string;
  stack: string;
  placeholders?: OutputPlaceholders;
  invokes?: InvokeAnswers;
  /** Replaces the config the program's providers read (`aws:region`, …): `namespace:key` → string. */
  config?: Record<string, string>;
}

export interface RunResult<T> {
  outputs: T | undefined;
  resources: RecordedResource[];
}

export class DuplicateUrnError extends Error {}
export class UnexpectedInvokeError extends Error {}

const ident = (type: string, name: string) => `${type}::${name}`;

/** Run `program` as a Pulumi stack on the mock monitor. Stacks may run one after another in a process. */
export async function runOnMocks<T>(
  program: () => Promise<T>,
  opts: RunOptions,
): Promise<RunResult<pulumi.Unwrap<T>>> {
  const byResource = new Map<pulumi.Resource, { id: string; typeChain: string }>();
  const options = new Map<string, Omit<RecordedResource, "inputs">>();
  const inputs = new Map<string, Record<string, unknown>>();
  const errors: Error[] = [];

  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const id = ident(args.type, args.name);
        inputs.set(id, (await readableAssets(args.inputs)) as Record<string, unknown>);
        const extra = opts.placeholders?.(args.type, args.name, args.inputs as Record<string, unknown>) ?? {};
        return { id: `${args.name}-id`, state: { ...(args.inputs as Record<string, unknown>), ...extra } };
      },
      call(args) {
        const answer = opts.invokes?.[args.token];
        if (answer) return answer(args.inputs as Record<string, unknown>);
        // Throwing here would surface as an unhandled rejection without this message: record it,
        // answer nothing, and fail the run with it afterwards.
        errors.push(
          new UnexpectedInvokeError(
            `unexpected invoke ${args.token}: add an answer for it to the offline engine (automation/render/placeholders.ts)`,
          ),
        );
        return {};
      },
    },
    opts.project,
    opts.stack,
    false,
  );
  if (opts.config) pulumi.runtime.setAllConfig(opts.config);

  let outputs: pulumi.Unwrap<T> | undefined;
  let programError: { error: unknown } | undefined;
  // Pulumi captures a stack trace for every promise it creates and every resource
  // (`new Error().stack`, for leak reports and source positions). With source maps on (tsx turns
  // them on) each capture maps every frame: most of a render's time went there. The offline engine
  // records no source positions, so while the program runs source maps are off and promise stacks
  // are not captured; both are restored after, before any error's stack is read.
  // Pulumi's per-promise and per-resource debugging aids are off too (./leanRuntime.ts).
  // PLATFORM_RENDER_STACKS=1 keeps full stacks (to debug the program at the cost of speed).
  const sourceMaps = process.sourceMapsEnabled;
  const stackLimit = Error.stackTraceLimit;
  let restoreRuntime = () => {};
  if (!process.env.PLATFORM_RENDER_STACKS) {
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    restoreRuntime = leanRuntime();
  }
  // Dynamic providers' serialized text from the cache on disk (./providerCache.ts).
  const restoreSerialization = cacheProviderSerialization();
  try {
    outputs = (await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        const parent = args.opts.parent ? byResource.get(args.opts.parent) : undefined;
        const typeChain = parent ? `${parent.typeChain}$${args.type}` : args.type;
        const id = ident(args.type, args.name);
        const urn = `urn:pulumi:${opts.stack}::${opts.project}::${typeChain}::${args.name}`;
        for (const seen of options.values())
          if (seen.urn === urn)
            errors.push(
              new DuplicateUrnError(`duplicate URN ${urn}: two resources share a type, name and parent`),
            );
        byResource.set(args.resource, { id, typeChain });
        const deps = args.opts.dependsOn;
        const depList = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
        const provider = (args.opts as pulumi.CustomResourceOptions).provider;
        options.set(id, {
          type: args.type,
          name: args.name,
          urn,
          component: !(args.resource instanceof pulumi.CustomResource),
          parent: parent?.id,
          dependsOn: depList.map((d) => byResource.get(d)?.id ?? "<unknown>"),
          provider: provider ? byResource.get(provider)?.id : undefined,
        });
        return undefined;
      });
      // The program's own failure is kept here and thrown after the run: handed to Pulumi's stack
      // it would also surface as an unhandled rejection, outside any caller's try.
      try {
        return await program();
      } catch (e) {
        programError = { error: e };
        return undefined;
      }
    })) as pulumi.Unwrap<T> | undefined;
    await waitForRPCs();
    if (programError) throw programError.error;
  } catch (e) {
    // An engine error (unexpected invoke, duplicate URN) explains a program failure that follows it.
    throw errors[0] ?? e;
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    Error.stackTraceLimit = stackLimit;
    restoreRuntime();
    restoreSerialization();
  }
  if (errors.length) throw errors[0];

  const resources = [...options.values()].map((o) => ({
    ...o,
    inputs: inputs.get(ident(o.type, o.name)) ?? {},
  }));
  return { outputs, resources };
}

/**
 * Assets and archives (e.g. remote.CopyToRemote's `source`) reach the mock monitor with their fields
 * as promises, which print as `{}`: record them by kind and resolved value instead.
 */
async function readableAssets(v: unknown): Promise<unknown> {
  const { asset } = pulumi;
  if (v instanceof asset.FileAsset) return { fileAsset: await v.path };
  if (v instanceof asset.StringAsset) return { stringAsset: await v.text };
  if (v instanceof asset.RemoteAsset) return { remoteAsset: await v.uri };
  if (v instanceof asset.FileArchive) return { fileArchive: await v.path };
  if (v instanceof asset.RemoteArchive) return { remoteArchive: await v.uri };
  if (v instanceof asset.AssetArchive) return { assetArchive: await readableAssets(await v.assets) };
  if (Array.isArray(v)) return Promise.all(v.map(readableAssets));
  const plain =
    v !== null && typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v));
  if (plain)
    return Object.fromEntries(
      await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await readableAssets(x)])),
    );
  return v;
}

/** True for a value the engine received as a secret. */
export function isSecretWrapped(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Replace every secret value with `[secret]`, recursively; a secret object keeps its keys. */
export function redactSecrets(v: unknown): unknown {
  if (isSecretWrapped(v)) return redactAll(v.value);
  if (Array.isArray(v)) return v.map(redactSecrets);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x)]));
  return v;
}

function redactAll(v: unknown): unknown {
  if (isSecretWrapped(v)) return redactAll(v.value);
  if (Array.isArray(v)) return v.map(redactAll);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactAll(x)]));
  return "[secret]";
}

/** Strip the secret wrappers, keeping the values (for tests that must see exactly what was sent). */
export function unwrapSecrets(v: unknown): unknown {
  if (isSecretWrapped(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  return v;
}
