// npm run gitops:new-slice -- --cluster <platform> --model <model> --sst 1 --sd def922 ... [--repo gitops] [--dry-run] [--force]
import * as fs from "node:fs";
import * as path from "node:path";
import {
  parseNewSliceArgs,
  readSliceModel,
  recordedCommand,
  scaffoldSlice,
  ScaffoldError,
} from "../automation/gitops";
import { runCli, UsageError } from "./common";

const USAGE =
  "usage: npm run gitops:new-slice -- --cluster <platform> --model <model> --sst <n> --sd <hex> --<variable> <value> ... [--set KEY=VALUE] [--repo gitops] [--namespace slices] [--depends-on apps] [--dry-run] [--force]";

void runCli(
  async (argv) => {
    if (argv.includes("--help") || argv.includes("-h")) {
      console.log(USAGE);
      return 0;
    }
    const args = parseNewSliceArgs(argv);
    if (!args.cluster || !args.model) throw new UsageError(USAGE);
    const repoDir = path.resolve(args.repo ?? "gitops");
    if (!fs.existsSync(path.join(repoDir, "clusters", args.cluster)))
      throw new ScaffoldError(
        `no clusters/${args.cluster}/ in ${repoDir}: the platform's tree must exist first`,
      );
    const model = readSliceModel(repoDir, args.model);
    const files = scaffoldSlice({
      cluster: args.cluster,
      model,
      values: args.values,
      namespace: args.namespace,
      dependsOn: args.dependsOn,
      command: recordedCommand(argv),
    });
    for (const f of files) {
      const target = path.join(repoDir, f.path);
      if (args.dryRun) {
        console.log(`--- ${f.path}\n${f.content}`);
        continue;
      }
      if (fs.existsSync(target) && !args.force)
        throw new ScaffoldError(`${f.path} exists: pass --force to overwrite it`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content);
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
    if (!args.dryRun) console.log("check it with: npm run gitops:lint");
    return 0;
  },
  [ScaffoldError],
);
