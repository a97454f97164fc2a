/**
 * The offline engine's cache of serialized dynamic providers (automation/render/providerCache.ts):
 * the same `__provider` text with and without it, Pulumi's serializer skipped on a hit, keys that
 * change with the provider's code, and providers whose code all lives in their folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as closure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import * as state from "@pulumi/pulumi/runtime/state";
import { FluxStoredVersions, storedVersionsProvider } from "../../../components/flux/migrate";
import { runOnMocks } from "../../../automation/render/engine";
import {
  CACHED_PROVIDERS,
  cacheProviderSerialization,
  providerKey,
  type CachedProvider,
} from "../../../automation/render/providerCache";

type Serialize = typeof closure.serializeFunction;
const sc = closure as unknown as { serializeFunction: Serialize };
/** The function Pulumi's dynamic resource hands the serializer (its text as in the SDK's own module). */
const thunk = (provider: unknown) =>
  new Function("provider", "return () => provider")(provider) as () => unknown;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "provider-cache-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Count the calls that reach Pulumi's serializer while `body` runs: with the cache in `tmp`
 * (`cache: true`, as the offline engine installs it) or with `PLATFORM_RENDER_PROVIDER_CACHE` as given.
 */
async function counting<T>(
  setting: { cache: true } | { env: string },
  body: () => Promise<T>,
): Promise<[T, number]> {
  const real = sc.serializeFunction;
  const saved = process.env.PLATFORM_RENDER_PROVIDER_CACHE;
  process.env.PLATFORM_RENDER_PROVIDER_CACHE = "cache" in setting ? tmp : setting.env;
  let calls = 0;
  sc.serializeFunction = (f, a) => {
    calls++;
    return real(f, a);
  };
  const restore = "cache" in setting ? cacheProviderSerialization() : () => {};
  try {
    return [await body(), calls];
  } finally {
    restore();
    sc.serializeFunction = real;
    if (saved === undefined) delete process.env.PLATFORM_RENDER_PROVIDER_CACHE;
    else process.env.PLATFORM_RENDER_PROVIDER_CACHE = saved;
  }
}

const entries = () => fs.readdirSync(path.join(tmp, "render-providers"));

describe("the serialized-provider cache", () => {
  it("gives Pulumi's own text: a miss serializes and stores it, a hit skips the serializer", async () => {
    const fresh = await sc.serializeFunction(thunk(storedVersionsProvider), { allowSecrets: true });
    expect(fresh.text).toContain(
      "var __provider = {diff: __f1, create: __f2, update: __f11, delete: __f12};",
    );
    const [miss, missCalls] = await counting({ cache: true }, () =>
      sc.serializeFunction(thunk(storedVersionsProvider), { allowSecrets: true }),
    );
    expect([missCalls, entries().length]).toEqual([1, 1]);
    const [hit, hitCalls] = await counting({ cache: true }, () =>
      sc.serializeFunction(thunk(storedVersionsProvider), { allowSecrets: true }),
    );
    expect(hitCalls).toBe(0);
    expect(miss).toEqual(fresh);
    expect(hit).toEqual({ text: fresh.text, exportName: "handler", containsSecrets: false });
  });

  it("leaves every other function to Pulumi, and is off with PLATFORM_RENDER_PROVIDER_CACHE=off", async () => {
    const [, other] = await counting({ cache: true }, () => sc.serializeFunction(thunk({ other: true })));
    process.env.PLATFORM_RENDER_PROVIDER_CACHE = "off";
    const restore = cacheProviderSerialization();
    const [, off] = await counting({ env: "off" }, () =>
      sc.serializeFunction(thunk(storedVersionsProvider), { allowSecrets: true }),
    );
    restore();
    expect([other, off, fs.existsSync(path.join(tmp, "render-providers"))]).toEqual([1, 1, false]);
  });

  it("renders the same __provider input with the cache off, cold and warm", async () => {
    const program = async () => {
      new FluxStoredVersions("flux-stored-versions", { kubeconfig: "kc", fluxVersion: "2.9.4", crds: {} });
    };
    // The offline engine installs the cache itself (PLATFORM_RENDER_PROVIDER_CACHE: off, or tmp).
    const provider = async (env: string) => {
      const [r, calls] = await counting({ env }, () => runOnMocks(program, { project: "p", stack: "s" }));
      return [r.resources[0].inputs.__provider, calls];
    };
    // Pulumi keeps a provider's text for the process (a WeakMap of the SDK's): with its setting
    // cacheDynamicProviders off (PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS=false, read once at load) every
    // run serializes, as a fresh process does.
    const { getStore } = state as unknown as {
      getStore: () => { settings: { options: { cacheDynamicProviders?: boolean } } };
    };
    const options = getStore().settings.options;
    const saved = options.cacheDynamicProviders;
    options.cacheDynamicProviders = false;
    try {
      const [off, cold, warm] = [await provider("off"), await provider(tmp), await provider(tmp)];
      expect(typeof off[0]).toBe("string");
      expect([cold, warm]).toEqual([
        [off[0], 1],
        [off[0], 0],
      ]);
    } finally {
      options.cacheDynamicProviders = saved;
    }
  });

  it("keys on the provider's files, its modules' compiled functions, the SDK and the arguments", () => {
    const dir = path.join(tmp, "src");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "a.ts"), "export const a = 1;\n");
    const p = (f: () => number): CachedProvider => ({ provider: { create: f }, dir, modules: [{ f }] });
    const one = () => 1;
    const base = providerKey(p(one), { allowSecrets: true });
    expect(providerKey(p(one), { allowSecrets: true })).toBe(base);
    expect(
      providerKey(
        p(() => 2),
        { allowSecrets: true },
      ),
    ).not.toBe(base);
    expect(providerKey(p(one), {})).not.toBe(base);
    fs.writeFileSync(path.join(dir, "a.ts"), "export const a = 2;\n");
    expect(providerKey(p(one), { allowSecrets: true })).not.toBe(base);
    expect(JSON.parse(base)).toMatchObject({ kind: "render-providers", node: process.version });
  });

  it("caches only providers whose modules take code from their own folder alone (the key covers it)", () => {
    const outside = CACHED_PROVIDERS.flatMap((p) =>
      fs
        .readdirSync(p.dir)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) =>
          [
            ...fs
              .readFileSync(path.join(p.dir, f), "utf8")
              .matchAll(/^import (?!type )[^;]*?from "([^"]+)";/gms),
          ]
            .map((m) => m[1])
            .filter((from) => from.startsWith(".") && !from.startsWith("./"))
            .map((from) => `${path.relative(process.cwd(), path.join(p.dir, f))}: ${from}`),
        ),
    );
    expect(outside).toEqual([]);
  });
});
