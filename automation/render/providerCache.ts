/**
 * The dynamic providers' serialized text, kept on disk for the offline render. A Pulumi dynamic
 * resource (components/flux/migrate: FluxStoredVersions) sends its provider serialized by value as
 * its `__provider` input. Serializing it opens an inspector session on the whole process (V8's
 * debugger reports every script loaded: with the program's ~1,400 modules, about a third of a `dev`
 * render) and walks the provider's closure. The text only changes with the provider's code, so the
 * offline engine keeps it in `node_modules/.cache/render-providers`, keyed by:
 *
 * - the provider's own source files (every file of its folder, as read from disk),
 * - the compiled text of every function its modules export (`Function.prototype.toString`: this
 *   names the loader and its compile options, which change the serialized text),
 * - the Pulumi SDK's version, Node.js's version and the serialization's arguments.
 *
 * A miss serializes as Pulumi does and stores the result; a hit gives Pulumi the same text without
 * the inspector. Only the providers registered here are cached (their modules may capture nothing
 * from outside their folder: a unit test checks their imports); any other function Pulumi serializes
 * takes Pulumi's own path. `PLATFORM_RENDER_PROVIDER_CACHE=off` turns the cache off; set to a folder,
 * the cache is kept there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as closure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import * as kubeClient from "../../components/flux/migrate/kubeClient";
import * as resource from "../../components/flux/migrate/resource";
import * as storedVersions from "../../components/flux/migrate/storedVersions";
import { DiskCache, sha256 } from "../gitops/shared/cache";

type Serialize = typeof closure.serializeFunction;
type Serialized = Awaited<ReturnType<Serialize>>;

/** A provider the cache may answer for: its object, its source folder and the modules it comes from. */
export interface CachedProvider {
  provider: object;
  /** Folder of the provider's source files (all of it is part of the key). */
  dir: string;
  /** The modules of that folder, as loaded (their exported functions' compiled text is part of the key). */
  modules: object[];
}

const ROOT = path.resolve(__dirname, "../..");

/** The providers the offline render caches: FluxStoredVersions' (the program's only dynamic resource). */
export const CACHED_PROVIDERS: readonly CachedProvider[] = [
  {
    provider: resource.storedVersionsProvider,
    dir: path.join(ROOT, "components/flux/migrate"),
    modules: [resource, kubeClient, storedVersions],
  },
];

/** The cache folder: beside the other build caches of the checkout, gone with `node_modules`. */
export const PROVIDER_CACHE_DIR = path.join(ROOT, "node_modules/.cache");
const KIND = "render-providers";

/**
 * The text Pulumi's dynamic resource serializes: `serializeFunction(() => provider, …)`. The cache
 * answers only for a function of exactly this text (calling it just returns the provider).
 */
const DYNAMIC_THUNK = "() => provider";

const SDK_VERSION = (
  JSON.parse(
    fs.readFileSync(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "package.json"), "utf8"),
  ) as { version: string }
).version;

/** The cache key of a provider (see the file's comment for what it holds). */
export function providerKey(p: CachedProvider, args: unknown): string {
  const files = fs
    .readdirSync(p.dir)
    .sort()
    .map((f) => `${f}\0${sha256(fs.readFileSync(path.join(p.dir, f)))}`);
  const compiled = p.modules.flatMap((m) =>
    Object.entries(m)
      .filter(([, v]) => typeof v === "function")
      .map(([k, v]) => `${k}\0${sha256(String(v))}`)
      .sort(),
  );
  // The provider object's methods, as Pulumi serializes them.
  const methods = Object.entries(p.provider).map(([k, v]) => `${k}\0${sha256(String(v))}`);
  return JSON.stringify({
    kind: KIND,
    sdk: SDK_VERSION,
    node: process.version,
    args,
    files,
    compiled,
    methods,
  });
}

const writable = closure as unknown as { serializeFunction: Serialize };

/**
 * Answer Pulumi's serialization of the registered providers from the cache while a program runs;
 * returns the function that puts Pulumi's own back. Where the SDK's module cannot be changed (an ES
 * module namespace, as tsx loads it), nothing changes.
 */
export function cacheProviderSerialization(env: NodeJS.ProcessEnv = process.env): () => void {
  const setting = env.PLATFORM_RENDER_PROVIDER_CACHE;
  if (setting === "off") return () => {};
  const cacheRoot = setting ? path.resolve(setting) : PROVIDER_CACHE_DIR;
  const original = writable.serializeFunction;
  if (typeof original !== "function") return () => {};
  const cache = new DiskCache<Serialized>(cacheRoot, KIND);
  const cached: Serialize = (func, args) => {
    const p =
      String(func) === DYNAMIC_THUNK
        ? CACHED_PROVIDERS.find((c) => c.provider === (func as () => unknown)())
        : undefined;
    if (!p) return original(func, args);
    const key = providerKey(p, args ?? {});
    const hit = cache.get(key);
    if (hit) return Promise.resolve(hit);
    return original(func, args).then((s) => {
      cache.put(key, { text: s.text, exportName: s.exportName, containsSecrets: s.containsSecrets });
      return s;
    });
  };
  try {
    writable.serializeFunction = cached;
  } catch {
    return () => {};
  }
  return () => {
    if (writable.serializeFunction === cached) writable.serializeFunction = original;
  };
}
