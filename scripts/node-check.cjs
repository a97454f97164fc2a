// Loaded first by every entry point (the npm scripts, jest's config): on a Node.js too old for the
// project it stops at once with one line naming the fix, instead of an engine warning and a crash
// deep inside a dependency. CommonJS, no syntax newer than Node 12, so it runs on any Node there is.
// Node >= 22.15: @pulumi/pulumi needs 22, and scripts/ts-hooks.mjs uses module.registerHooks (22.15).
/* global process */
"use strict";
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(
    `platform needs Node.js >= 22.15, but this is ${process.version} (${process.execPath}): run \`. scripts/node-env.sh\` in this shell (it installs Node 24 into ~/.cache/platform/ when the machine's Node is older), then run the command again\n`,
  );
  process.exit(1);
}
