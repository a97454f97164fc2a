/**
 * The bad-input classifier tells each way of failing apart (so "refused cleanly" means something).
 * An exception escaping the command is not tried here: jest takes it over before the classifier sees
 * it (the report script counts it as a crash).
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execute, type Cli, type Io } from "../../../cli/common";
import type { BadInputRow } from "./badInputRows";
import { runRow, type Outcome } from "./badInputRun";

/** A CLI that does `act` with the row's folder (its first argument). */
const fake = (act: (dir: string, io: Io) => Promise<number>): Cli => ({
  spec: {
    name: "fake",
    summary: "test",
    positionals: [{ name: "dir", description: "the row's folder" }],
    options: {},
  },
  run: ({ positionals }, io) => act(positionals[0], io),
});

const row = (cli: Cli, files?: Record<string, string>): BadInputRow => ({
  cli,
  argv: ["{tmp}"],
  files,
  code: 1,
  says: ["x.path: must be y"],
});

describe("bad-input classifier", () => {
  let base: string;
  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "bad-input-run-"));
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  const outcome = async (cli: Cli, files?: Record<string, string>): Promise<[Outcome, string]> => {
    const tmp = await fs.mkdtemp(path.join(base, "row-"));
    const r = await runRow(row(cli, files), { tmp, root: base, execute, cli });
    return [r.outcome, r.why];
  };

  it.each<[string, Cli, Record<string, string> | undefined, [Outcome, string]]>([
    [
      "a clean refusal",
      fake(async (_, io) => (io.err("x.path: must be y"), 1)),
      undefined,
      ["refused cleanly", ""],
    ],
    ["exit 0", fake(async () => 0), undefined, ["accepted", "exit code 0"]],
    [
      "a refusal that deletes a file",
      fake(async (dir, io) => (await fs.rm(path.join(dir, "mine.txt")), io.err("x.path: must be y"), 1)),
      { "mine.txt": "mine" },
      ["wrote before refusing", "changed: mine.txt"],
    ],
    [
      "a refusal that writes a file",
      fake(async (dir) => (await fs.writeFile(path.join(dir, "out"), ""), 1)),
      undefined,
      ["wrote before refusing", "changed: out"],
    ],
    [
      "a bug (execute prints the trace)",
      fake(async () => {
        throw new TypeError("boom");
      }),
      undefined,
      ["crashed", "printed a stack trace or an internal error, or an exception escaped"],
    ],
    [
      "another exit code",
      fake(async (_, io) => (io.err("x.path: must be y"), 2)),
      undefined,
      ["refused unclearly", "exit code 2, expected 1"],
    ],
    [
      "a message without the path and fix",
      fake(async (_, io) => (io.err("invalid input"), 1)),
      undefined,
      ["refused unclearly", 'does not say: "x.path: must be y"'],
    ],
  ])("%s", async (_, cli, files, want) => {
    expect(await outcome(cli, files)).toEqual(want);
  });
});
