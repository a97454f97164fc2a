require("./scripts/node-check.cjs");
const km = "<rootDir>/node_modules/@kubernetes-models";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // test/integration/ starts whole programs as processes: `npm run test:integration` (jest.integration.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/", "<rootDir>/test/integration/"],
  transform: {
    "^.+\\.(ts|js)$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  // @kubernetes-models/* (typed Flux objects, validated against the Flux JSON schemas) ship ESM
  // with only an "import" export condition: map their entry points and let swc make them CommonJS.
  // @kubernetes/client-node (fleet driver) and its ESM-only dependencies are made CommonJS the same way.
  transformIgnorePatterns: [
    "/node_modules/(?!(@kubernetes-models|is-cidr|cidr-regex|@kubernetes/client-node|openid-client|oauth4webapi|jose|socks-proxy-agent|agent-base)/)",
  ],
  // @pulumi/pulumi's TypeScript compiler and @npmcli/arborist load on first use (test/helpers/jestResolver.js).
  resolver: "<rootDir>/test/helpers/jestResolver.js",
  runtime: "<rootDir>/test/helpers/jestRuntime.js",
  moduleNameMapper: {
    "^@kubernetes-models/base$": `${km}/base/dist/index.js`,
    "^@kubernetes-models/validate$": `${km}/validate/dist/index.js`,
    "^@kubernetes-models/validate/runtime/(.*)$": `${km}/validate/dist/runtime/$1.js`,
    "^@kubernetes-models/apimachinery/_schemas/(.*)$": `${km}/apimachinery/_schemas/$1.js`,
    "^@kubernetes-models/flux-cd/(.*)$": `${km}/flux-cd/$1/index.js`,
  },
  // Each test file loads @pulumi/pulumi in its own module registry; two workers fit two cores.
  maxWorkers: 2,
  // A test's first call loads the program (seconds on a loaded 2-core machine, beside the static
  // checks); 5 s failed tests for the machine's load. These are not timing tests: a hang still fails.
  testTimeout: 30_000,
  // One gitops build cache for the run, shared by the workers (test/helpers/gitopsCache.ts).
  globalSetup: "<rootDir>/test/helpers/jestGlobalSetup.ts",
  globalTeardown: "<rootDir>/test/helpers/jestGlobalTeardown.ts",
};
