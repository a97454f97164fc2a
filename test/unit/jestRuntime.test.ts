/**
 * test/helpers/jestRuntime.js: Jest compiles each module's code once per worker; a later test file's
 * compile of the same code is served from V8's code cache, and a cache V8 refuses is compiled afresh;
 * inspector sessions a test file connects are closed when it ends.
 */
import * as inspector from "node:inspector";
import * as vm from "node:vm";

type Compiled = ReturnType<typeof vm.compileFunction> & {
  cachedDataProduced?: boolean;
  cachedDataRejected?: boolean;
};
type Tracking = typeof inspector.Session & {
  openInTestFile?: Set<inspector.Session>;
  closeTestFileSessions?: () => void;
};
type Caching = typeof vm.compileFunction & { codeCache?: Map<string, Buffer> };

const compile = vm.compileFunction as Caching;
const codeCache = (): Map<string, Buffer> => {
  if (!compile.codeCache) throw new Error("node:vm's compileFunction is not jestRuntime.js's");
  return compile.codeCache;
};
// A source no other test file compiles, so the first compile here is a miss in any worker.
const fresh = (answer: number) =>
  `return a + ${answer}; // jestRuntime.test ${process.pid} ${Date.now()} ${Math.random()}`;

describe("Jest's runtime", () => {
  it("has compiled this test file's own code into the worker's cache", () => {
    const marker = "has compiled this test file's own code into the worker's cache";
    expect([...codeCache().keys()].filter((code) => code.includes(marker))).toHaveLength(1);
  });

  it("compiles a new module's code once and serves the next compile of it from the cache", () => {
    const code = fresh(1);
    const first = compile(code, ["a"]) as Compiled;
    expect([first.cachedDataProduced, codeCache().has(code)]).toEqual([true, true]);
    const second = compile(code, ["a"]) as Compiled;
    expect([second.cachedDataRejected, second.cachedDataProduced]).toEqual([false, undefined]);
    expect([first(41), second(41)]).toEqual([42, 42]);
  });

  it("compiles afresh, and keeps the new code cache, when V8 refuses the cached one", () => {
    const code = fresh(2);
    codeCache().set(code, Buffer.from("not a V8 code cache"));
    const fn = compile(code, ["a"]) as Compiled;
    expect([fn.cachedDataProduced, fn(40)]).toEqual([true, 42]);
    expect(codeCache().get(code)?.toString()).not.toBe("not a V8 code cache");
    expect((compile(code, ["a"]) as Compiled).cachedDataRejected).toBe(false);
  });

  it("leaves a caller's own cachedData and produceCachedData alone", () => {
    const code = fresh(3);
    const own = compile(code, ["a"], { produceCachedData: true }) as Compiled;
    expect([own.cachedDataProduced, codeCache().has(code)]).toEqual([true, false]);
  });

  describe("inspector sessions", () => {
    const Session = inspector.Session as Tracking;
    const open = (): Set<inspector.Session> => {
      if (!Session.openInTestFile) throw new Error("node:inspector's Session is not jestRuntime.js's");
      return Session.openInTestFile;
    };

    it("none is open when a test file starts, whatever the worker's earlier files opened", () => {
      expect([...open()]).toEqual([]);
    });

    it("a session this file connects, with the debugger on as Pulumi's serializer has it, is closed at the file's end", async () => {
      const session = new inspector.Session();
      session.connect();
      await new Promise((resolve, reject) =>
        session.post("Debugger.enable", (err) => (err ? reject(err) : resolve(undefined))),
      );
      expect([...open()]).toEqual([session]);
      Session.closeTestFileSessions!();
      expect([...open()]).toEqual([]);
      expect(() => session.post("Debugger.disable")).toThrow("Session is not connected");
    });
  });
});
