/**
 * A generated project of two platforms (gen-p001, gen-p002, each with the tree of local) whose fleet
 * repository uses a variable no platform defines (`${SITE_CODE}` in apps/base/namespace.yaml): the
 * case `render` (test/unit/render/output.test.ts) and `fleet render`
 * (test/integration/render/undefinedVariable.test.ts) must both refuse.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { generateFleet } from "../../automation/fleet/generate";

const ROOT = path.join(__dirname, "..", "..");

export interface UndefinedVariableFleet {
  project: string;
  gitops: string;
  /** Gives the variable a default (`${SITE_CODE:=none}`): then everything renders. */
  defineVariable: () => Promise<void>;
}

export async function fleetWithUndefinedVariable(tmp: string): Promise<UndefinedVariableFleet> {
  const project = path.join(tmp, "project");
  await generateFleet({
    projectDir: ROOT,
    template: "local",
    count: 2,
    targetDir: project,
    waveOf: () => 1,
  });
  const gitops = path.join(tmp, "gitops");
  await fs.cp(path.join(ROOT, "gitops"), gitops, { recursive: true });
  // The generated platforms gen-p001 and gen-p002 get the tree of local.
  for (const p of ["gen-p001", "gen-p002"])
    await fs.cp(path.join(gitops, "clusters", "local"), path.join(gitops, "clusters", p), {
      recursive: true,
    });
  const ns = path.join(gitops, "apps", "base", "namespace.yaml");
  await fs.writeFile(
    ns,
    (await fs.readFile(ns, "utf8")).replace("  labels:\n", '  labels:\n    site: "${SITE_CODE}"\n'),
  );
  return {
    project,
    gitops,
    defineVariable: async () =>
      fs.writeFile(ns, (await fs.readFile(ns, "utf8")).replace("${SITE_CODE}", "${SITE_CODE:=none}")),
  };
}
