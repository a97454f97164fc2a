// `npm run test:integration`: the tests that start whole programs as child processes (npm scripts
// on an old Node, each CLI's --help through npm, an error escaping a real process, the fleet
// render's pool of worker processes, gitops:lint and gitops:diff on broken stack files), and
// incremental.test.ts's dozens of real kustomize builds on a generated fleet. Each costs seconds,
// so they run here, from .ci/run after `npm test`, instead of in the unit run (which keeps a fast
// test of the same logic); same transform and module map.
const unit = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  roots: ["<rootDir>/test/integration"],
  testPathIgnorePatterns: ["/node_modules/"],
};
