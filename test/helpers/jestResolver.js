/**
 * Jest's resolver (jest.config.js): the default one, except for two modules @pulumi/pulumi loads at
 * import that no unit test's code path uses unless it serializes a function: the TypeScript
 * compiler (its typescript-shim) and @npmcli/arborist (runtime/closure/codePaths.js). Each Jest test
 * file has its own module registry and loads @pulumi/pulumi again; these two were about four fifths
 * of that load. They resolve to stand-ins (./lazy/) that load the real module on first use, so a
 * test that serializes a function (storedVersionsClient.test.ts) runs the real ones.
 */
const path = require("node:path");

const pulumiDir = path.join(__dirname, "..", "..", "node_modules", "@pulumi", "pulumi") + path.sep;
const lazy = {
  typescriptShim: path.join(__dirname, "lazy", "pulumiTypescript.js"),
  arborist: path.join(__dirname, "lazy", "pulumiArborist.js"),
};

module.exports = (request, options) => {
  if (options.basedir.startsWith(pulumiDir) || options.basedir + path.sep === pulumiDir) {
    if (/(^|\/)typescript-shim(\.js)?$/.test(request) && request.startsWith(".")) return lazy.typescriptShim;
    if (request === "@npmcli/arborist") return lazy.arborist;
  }
  return options.defaultResolver(request, options);
};
