import { readFileSync } from "node:fs";
import { allOptions, formatHelp } from "../../../automation/cli/args";
import { CLIS, cliReference, DOCS_FILE } from "../../../cli/docs";
import { runCli } from "./run";

// Each CLI in this process; the same CLIs as processes, through npm: test/integration/cli/help.test.ts.
describe("--help", () => {
  it.each(CLIS.map((c) => [c.spec.name, c] as const))(
    "%s answers --help and -h with exit 0 and every option with its default",
    async (_, cli) => {
      for (const flag of ["--help", "-h"]) {
        const r = await runCli(cli, ["somewhere", flag]);
        expect(r).toEqual({ code: 0, out: formatHelp(cli.spec), err: "" });
      }
      const help = formatHelp(cli.spec);
      expect(help.split("\n")[0]).toMatch(new RegExp(`^usage: npm run ${cli.spec.name} -- `));
      for (const [name, o] of Object.entries(allOptions(cli.spec))) {
        const line = help.split("\n").find((l) => l.includes(`--${name}`) && l.startsWith("  -"));
        expect([name, line]).toEqual([
          name,
          expect.stringContaining(name === "help" ? "print this help" : "(default: "),
        ]);
        if (name !== "help") expect(line).toContain(o.description);
      }
    },
  );
});

describe("docs/cli.md", () => {
  it("is generated from the commands' definitions: regenerate with `npx tsx cli/docs.ts --write`", () => {
    expect(readFileSync(DOCS_FILE, "utf8")).toBe(cliReference());
    // What `npx tsx cli/docs.ts` prints: test/integration/cli/help.test.ts.
  });
});
