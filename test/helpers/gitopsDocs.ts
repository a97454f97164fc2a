/** The commands docs/gitops.md shows: checked against the page in test/unit/gitops/docs.test.ts, run in test/integration/gitops/docs.test.ts. */
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const DOC = fs.readFileSync(path.join(ROOT, "docs/gitops.md"), "utf8");

/** Command lines of the ```sh blocks, and the `- ` script lines of the ```yaml block. */
export function documented(): { sh: string[]; job: string[] } {
  const blocks = [...DOC.matchAll(/```(sh|yaml)\n([\s\S]*?)```/g)];
  const sh = blocks.filter((b) => b[1] === "sh").flatMap((b) => b[2].split("\n").filter(Boolean));
  const job = blocks
    .filter((b) => b[1] === "yaml")
    .flatMap((b) => b[2].split("\n"))
    .filter((l) => /^ {4}- (npm|bash|cd|git|curl|>-)/.test(l))
    .map((l) => l.replace(/^ {4}- /, ""));
  return { sh, job };
}
