#!/usr/bin/env node
// Restores package-lock.json entries for optional platform packages (e.g. @swc/core-darwin-arm64)
// that `npm install` leaves out when the registry it talks to does not serve them (the mirror on the
// project's machines serves only linux-x64 builds). Without those entries `npm ci` refuses the lock
// on every machine ("Missing: … from lock file"). Run it after any `npm install` that changes the lock.
// Each added entry carries only the version its parent declares; npm fetches it on a platform that
// needs it and skips it (optional) elsewhere.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;
const added = [];
for (const [where, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = where ? `${where}/node_modules/${name}` : `node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    packages[hoisted] = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(
  added.length
    ? `lock-optional: added ${added.length} entries: ${added.join(", ")}`
    : "lock-optional: nothing to add",
);
