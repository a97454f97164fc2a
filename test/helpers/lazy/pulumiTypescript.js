// @pulumi/pulumi's typescript-shim (the TypeScript compiler, 9 MB, for closure serialization), loaded on first use.
const path = require("node:path");
const lazyModule = require("./lazyModule.js");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
module.exports = lazyModule(() => require(path.join(pulumiDir, "typescript-shim.js")));
