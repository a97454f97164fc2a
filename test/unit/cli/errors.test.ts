import { promises as fs } from "node:fs";
import { parseCliArgs, reportError, runCli, UsageError, type Cli } from "../../../cli/common";
import { StackFileError } from "../../../automation/render/stackFile";
import { SelectionError } from "../../../automation/fleet/select";
import { STACK_LINE } from "./run";

const cli: Cli = {
  spec: { name: "demo", summary: "a demo", options: { out: { type: "string", description: "where" } } },
  run: async () => 0,
};

async function report(e: unknown) {
  const err: string[] = [];
  const code = await reportError(e, cli, { out: () => undefined, err: (t) => err.push(t) });
  return { code, err: err.join("\n") };
}

describe("the shared error handler", () => {
  it("prints a user's mistake as its message only, exit 1", async () => {
    expect(await report(new StackFileError("Pulumi.x.yaml: invalid YAML: bad indentation"))).toEqual({
      code: 1,
      err: "Pulumi.x.yaml: invalid YAML: bad indentation",
    });
  });

  it("names the path of a file-system error without the trace, exit 1", async () => {
    const e = await fs.readFile("/nonexistent/platform/file.yaml").catch((x: unknown) => x);
    expect(await report(e)).toEqual({
      code: 1,
      err: "/nonexistent/platform/file.yaml: does not exist (open): check the path and its permissions",
    });
  });

  it("prints a selection mistake with the usage, exit 2", async () => {
    const r = await report(new SelectionError('--shard "5/4": the shard index must be between 1 and 4'));
    expect(r.code).toBe(2);
    expect(r.err.split("\n").slice(0, 3)).toEqual([
      '--shard "5/4": the shard index must be between 1 and 4',
      "",
      "usage: npm run demo -- [options]",
    ]);
  });

  it("keeps the stack trace for a bug, and says it is one, exit 70", async () => {
    const r = await report(new TypeError("cannot read properties of undefined"));
    expect(r.code).toBe(70);
    expect(r.err).toContain("internal error in npm run demo (a bug, not your input");
    expect(r.err).toMatch(STACK_LINE);
  });
  // An error escaping the run, in a real process: test/integration/cli/errors.test.ts.
});

describe("the entry-point API from before Cli (parseCliArgs, runCli)", () => {
  afterEach(() => {
    process.exitCode = undefined;
    jest.restoreAllMocks();
  });

  it("parses strictly, names the closest option, and passes --help to callers that declare it", () => {
    expect(parseCliArgs(["a", "b", "--json"], { json: "boolean" })).toEqual({
      positionals: ["a", "b"],
      flags: { json: true },
    });
    expect(() => parseCliArgs(["--jsn"], { json: "boolean" })).toThrow(
      "unknown option --jsn: did you mean --json?",
    );
    expect(parseCliArgs(["-h"], { help: "boolean" }).flags).toEqual({ help: true });
  });

  it("runCli: usage mistakes exit 2 with the message, user errors 1, no trace", async () => {
    const err: unknown[] = [];
    jest.spyOn(console, "error").mockImplementation((m: unknown) => void err.push(m));
    await runCli(async () => {
      throw new UsageError("usage: npm run gitops:diff -- <a> <b>");
    }, []);
    expect([process.exitCode, err]).toEqual([2, ["usage: npm run gitops:diff -- <a> <b>"]]);
    await runCli(async () => {
      throw new StackFileError("Pulumi.x.yaml: invalid YAML");
    });
    expect([process.exitCode, err[1]]).toEqual([1, "Pulumi.x.yaml: invalid YAML"]);
  });
});
