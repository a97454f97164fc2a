// Runs the project's TypeScript CLIs without tsx: `node --import ./scripts/ts-hooks.mjs cli/render.ts`.
// In-thread module hooks (module.registerHooks) resolve extensionless relative imports to `.ts` and
// compile each `.ts` file to CommonJS with @swc/core (the settings jest uses), caching the output in
// node_modules/.cache/ts-hooks keyed by the source's hash: after the first run nothing is
// transpiled at start. Node's compile cache is turned on too. Types are checked by `npm test`
// (tsc), not here. Stack traces point at the compiled JavaScript; use tsx to debug with source lines.
// First: on a Node without module.registerHooks, one line naming the fix instead of a crash.
import "./node-check.cjs";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import module from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const cacheDir = path.join(root, "node_modules/.cache/ts-hooks");
module.enableCompileCache?.(path.join(root, "node_modules/.cache/node-compile-cache"));

// A new @swc/core or new settings below invalidate the cache (bump the suffix when changing them).
const VERSION = `${JSON.parse(readFileSync(path.join(root, "node_modules/@swc/core/package.json"), "utf8")).version}-1`;
let swc;
const compile = (source, file) => {
  swc ??= module.createRequire(import.meta.url)("@swc/core");
  return swc.transformSync(source, {
    filename: file,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: false,
  }).code;
};

function compiled(file) {
  const source = readFileSync(file, "utf8");
  const key = createHash("sha1").update(`${VERSION}\0${file}\0`).update(source).digest("hex");
  const out = path.join(cacheDir, `${key}.js`);
  try {
    return readFileSync(out, "utf8");
  } catch {
    const code = compile(source, file);
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, out);
    return code;
  }
}

const NOT_FOUND = new Set(["MODULE_NOT_FOUND", "ERR_MODULE_NOT_FOUND"]);

module.registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (e) {
      const relative = specifier.startsWith("./") || specifier.startsWith("../");
      if (!relative || !NOT_FOUND.has(e.code) || path.extname(specifier) === ".ts") throw e;
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        try {
          return nextResolve(candidate, context);
        } catch {
          // try the next spelling
        }
      }
      throw e;
    }
  },
  load(url, context, nextLoad) {
    if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
    const file = fileURLToPath(url);
    return { format: "commonjs", source: compiled(file), shortCircuit: true };
  },
});
