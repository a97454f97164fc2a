import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CLUSTER_VARS } from "../../components/flux/clusterVars";

const root = path.join(__dirname, "..", "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

/** Table rows of a README section, as trimmed cells. */
function rows(section: string, first: RegExp): string[][] {
  const start = readme.indexOf(section);
  const end = readme.indexOf("\n## ", start + 1);
  return readme
    .slice(start, end === -1 ? undefined : end)
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => first.test(cells[0]));
}

describe("README", () => {
  it("documents every cluster-vars key exactly as the contract defines it, and no other", () => {
    expect(rows("## The cluster-vars contract", /^`[A-Z_]+`$/)).toEqual(
      Object.entries(CLUSTER_VARS).map(([k, v]) => [`\`${k}\``, v.presentWhen, v.description]),
    );
  });

  it("mentions every npm script a user runs (in the README or a docs/ page)", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const docsDir = path.join(root, "docs");
    const pages = readdirSync(docsDir)
      .filter((f) => f.endsWith(".md"))
      .map((f) => readFileSync(path.join(docsDir, f), "utf8"));
    for (const s of Object.keys(pkg.scripts).filter((s) => !/^(pre|post|lint|format|typecheck)/.test(s)))
      expect([readme, ...pages].join("\n")).toContain(
        `npm run ${s}`.replace("npm run test", s === "test" ? "npm test" : "npm run test"),
      );
  });
});
