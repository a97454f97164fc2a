// @npmcli/arborist for @pulumi/pulumi's runtime/closure/codePaths.js, loaded on first use. From
// here it resolves to the project's copy, the one codePaths.js gets while @pulumi/pulumi has none of
// its own (test/unit/jestResolver.test.ts fails when an upgrade nests one). codePaths.js reads it
// through TypeScript's __importStar, which copies every key of a module without __esModule (a
// load); answering __esModule true until then hands it this object itself, whose `Arborist` (the
// one key codePaths uses) is the real one.
const lazyModule = require("./lazyModule.js");

module.exports = lazyModule(() => require("@npmcli/arborist"), { esModule: true });
