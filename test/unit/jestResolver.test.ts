/**
 * test/helpers/jestResolver.js: in Jest, @pulumi/pulumi loads without the TypeScript compiler and
 * @npmcli/arborist, and a use of either loads the real module.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const loaded = () =>
  Object.keys(require.cache)
    .filter((f) =>
      /node_modules\/(typescript\/lib\/typescript\.js|@npmcli\/arborist\/lib\/index\.js)$/.test(f),
    )
    .map((f) => path.relative(ROOT, f))
    .sort();

describe("Jest's resolver", () => {
  it("@pulumi/pulumi loads without the TypeScript compiler and @npmcli/arborist; their first use loads the real ones", async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const pulumiDir = path.join(ROOT, "node_modules/@pulumi/pulumi");
    // parseFunction.js reads the typescript-shim at its top: still nothing loaded.
    require(path.join(pulumiDir, "runtime/closure/parseFunction.js"));
    expect(loaded()).toEqual([]);
    // Serializing a function parses it with the TypeScript compiler through the stand-in.
    const answer = 42;
    const serialized = await pulumi.runtime.serializeFunction(() => answer);
    expect(serialized.text).toBe(
      "exports.handler = __f0;\n\nfunction __f0() {\n  return (function() {\n    with({ answer: 42, this: undefined, arguments: undefined }) {\n\nreturn ()=>answer;\n\n    }\n  }).apply(undefined, undefined).apply(this, arguments);\n}\n",
    );
    expect(loaded()).toEqual(["node_modules/typescript/lib/typescript.js"]);
    const ts = require(path.join(ROOT, "test/helpers/lazy/pulumiTypescript.js")) as {
      version: string;
      SyntaxKind: Record<string, number>;
    };
    const realTs = require("typescript") as typeof import("typescript");
    expect([ts.version, ts.SyntaxKind.ClassDeclaration]).toEqual([
      realTs.version,
      realTs.SyntaxKind.ClassDeclaration,
    ]);
    const arborist = require(path.join(ROOT, "test/helpers/lazy/pulumiArborist.js")) as { Arborist: unknown };
    expect(arborist.Arborist).toBe((require("@npmcli/arborist") as { Arborist: unknown }).Arborist);
    expect(existsSync(path.join(pulumiDir, "node_modules/@npmcli/arborist"))).toBe(false);
    expect(loaded()).toEqual([
      "node_modules/@npmcli/arborist/lib/index.js",
      "node_modules/typescript/lib/typescript.js",
    ]);
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
});
