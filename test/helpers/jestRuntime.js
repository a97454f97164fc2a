/**
 * Jest's runtime (jest.config.js `runtime`): Jest's own, with two changes that keep a worker's later
 * test files from paying for its earlier ones and for Jest's per-file module registries.
 *
 * 1. Each module's compiled code is kept for the worker's later test files. Jest gives every test
 *    file its own module registry and compiles every module it loads again with
 *    `vm.compileFunction`, which V8's in-isolate compilation cache does not serve
 *    (nodejs/node#35375, still open): a worker compiled @pulumi/pulumi, @pulumi/aws, yaml, zod and
 *    the program once per test file. Here the first compile of a module's code in a worker asks V8
 *    for its code cache and the next compiles of the same code pass it back. V8 checks the cache
 *    against the source and its own flags and compiles from scratch when it does not fit, so a test
 *    never runs other code than it would without this file. The cache lives in the worker's memory.
 * 2. Inspector sessions a test file opened are closed when it ends. Pulumi's function serializer
 *    (@pulumi/pulumi runtime/closure/v8Hooks.js) connects a session, enables the debugger and
 *    listens to every script parsed, and never disconnects: each later compile in the worker then
 *    reported to every such session, one more per test file that serialized a function.
 */
const inspector = require("node:inspector");
const vm = require("node:vm");
const Runtime = require("jest-runtime").default;

/** Compiled code by the module code it was compiled from (the exact string Jest compiles). */
const codeCache = new Map();
const compileFunction = vm.compileFunction.uncached ?? vm.compileFunction;

function cachingCompileFunction(code, params, options = {}) {
  if (options.cachedData !== undefined || options.produceCachedData !== undefined)
    return compileFunction(code, params, options);
  const cachedData = codeCache.get(code);
  if (cachedData !== undefined) {
    const fn = compileFunction(code, params, { ...options, cachedData });
    if (!fn.cachedDataRejected) return fn;
    codeCache.delete(code);
  }
  const fn = compileFunction(code, params, { ...options, produceCachedData: true });
  if (fn.cachedDataProduced) codeCache.set(code, fn.cachedData);
  return fn;
}

// Jest's module executor reads `compileFunction` off node:vm at each compile, so it gets this one;
// so does a test that calls it (test/unit/jestRuntime.test.ts).
cachingCompileFunction.uncached = compileFunction;
cachingCompileFunction.codeCache = codeCache;
vm.compileFunction = cachingCompileFunction;

/** Inspector sessions connected since the current test file started (one file at a time per worker). */
const openSessions = new Set();
for (const method of ["connect", "connectToMainThread"]) {
  const connect = inspector.Session.prototype[method];
  if (connect.tracked) continue;
  const tracking = function (...args) {
    const result = connect.apply(this, args);
    openSessions.add(this);
    return result;
  };
  tracking.tracked = true;
  inspector.Session.prototype[method] = tracking;
}
function closeTestFileSessions() {
  for (const session of openSessions) session.disconnect();
  openSessions.clear();
}
// Seen from test/unit/jestRuntime.test.ts through the one node:inspector every test file shares.
inspector.Session.openInTestFile = openSessions;
inspector.Session.closeTestFileSessions = closeTestFileSessions;

class PlatformRuntime extends Runtime {
  teardown() {
    closeTestFileSessions();
    return super.teardown();
  }
}

module.exports = PlatformRuntime;
