// npm run render -- <stack> [options]: the offline render of one stack (see --help).
import * as path from "node:path";
import { existingDir } from "../automation/cli/args";
import { start, usageIfBadStackName, type Cli } from "./common";

export const render: Cli = {
  spec: {
    name: "render",
    summary:
      "Run the program offline (no cloud, no cluster, no Pulumi CLI) and write every Kubernetes object and cloud resource it would create, secrets redacted; fails when the fleet repository needs a cluster-vars key the platform does not define.",
    positionals: [{ name: "<stack>", description: "the stack: Pulumi.<stack>.yaml in the project folder" }],
    options: {
      out: {
        type: "string",
        value: "<dir>",
        description:
          "folder to write; it must be new, empty or an earlier render's, unchanged (anything else is refused, never emptied; never /, your home or the project)",
        default: "<project>/render/<stack>",
      },
      project: {
        type: "string",
        value: "<dir>",
        description: "folder holding Pulumi.yaml and the stack files",
        default: ".",
      },
      gitops: {
        type: "string",
        value: "<dir>",
        description:
          "fleet repository whose variables cluster-vars must cover (the check is skipped when the default is absent)",
        default: "<project>/gitops",
      },
    },
    notes: [
      "It writes: k8s/<namespace>/<Kind>.<name>.yaml (every Kubernetes object, Secret values redacted), resources.json (every resource with its inputs, parent, dependsOn and provider, secrets redacted), outputs.json (stack outputs, secret ones redacted), summary.txt (what it prints), tree.md (the fleet repository's tree, when checked) and .platform-output.json (the files written and a hash of their contents: the folder is replaced on the next render only while it holds exactly that).",
    ],
  },
  async run({ positionals: [stack], values }, io) {
    usageIfBadStackName(stack);
    const projectDir = path.resolve(
      existingDir((values.project as string) ?? ".", "--project", "project folder"),
    );
    const gitops = values.gitops as string | undefined;
    const repoDir = path.resolve(
      gitops === undefined
        ? path.join(projectDir, "gitops")
        : existingDir(gitops, "--gitops", "fleet repository folder"),
    );
    const out = values.out as string | undefined;
    const outDir = path.resolve(out ?? path.join(projectDir, "render", stack));
    const where = { option: "--out", createParents: out === undefined, project: projectDir };
    const { checkOutputDir, displayPath } = await import("../automation/render/output");
    const { writeRender } = await import("../automation/render/write");
    // Refused before the render: nothing is written to a folder we may not replace.
    await checkOutputDir(outDir, where);
    const { renderStack } = await import("../automation/render");
    const { checkFleetRepo, fleetRepoFails } = await import("../automation/render/fleetRepo");
    const result = await renderStack(projectDir, stack);
    const fleet = await checkFleetRepo(result, repoDir);
    io.out(await writeRender(result, outDir, fleet, where));
    io.err(`wrote ${displayPath(outDir)} (rendered in ${(result.durationMs / 1000).toFixed(2)} s)`);
    // Files are written either way (they show what would be applied); a missing root path or a gap
    // in cluster-vars fails the run.
    return fleetRepoFails(fleet) ? 1 : 0;
  },
};

if (require.main === module) start(render);
