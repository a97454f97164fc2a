// Prints {"files": N, "cycles": ["a.ts -> b.ts", ...]} for the TypeScript files matched by the globs
// under <dir>, type-only imports included. Run in plain Node (dpdm pulls in ESM-only packages that
// Jest's module registry cannot load): node test/helpers/importCycles.mjs <dir> <glob>...
import { parseCircular, parseDependencyTree } from "dpdm";

async function main() {
  const [dir, ...globs] = process.argv.slice(2);
  const tree = await parseDependencyTree(globs, {
    cwd: dir,
    context: dir,
    transform: false,
    exclude: /node_modules/,
  });
  const cycles = parseCircular(tree).map((c) => c.join(" -> "));
  process.stdout.write(JSON.stringify({ files: Object.keys(tree).length, cycles }) + "\n");
}

await main().catch((e) => {
  console.error(e);
  process.exit(2);
});
