// npm run gitops:new-slice -- --cluster <platform> --model <model> --<variable> <value> ... (see --help)
import * as fs from "node:fs";
import * as path from "node:path";
import { closest, existingDir, formatHelp, UsageError } from "../automation/cli/args";
import { displayPath } from "../automation/render/output";
import { start, type Cli } from "./common";

export const gitopsNewSlice: Cli = {
  spec: {
    name: "gitops:new-slice",
    summary:
      "Scaffold one slice instance of a catalog model in clusters/<platform>/slices/<id>/ (a Kustomization of the model and its ConfigMap slice-vars-<id>); every value is checked against the variables the model uses.",
    options: {
      cluster: {
        type: "string",
        value: "<platform>",
        description: "the platform (clusters/<platform>/ must exist)",
        required: true,
      },
      model: {
        type: "string",
        value: "<model>",
        description: "the catalog model (catalog/slices/<model>/)",
        required: true,
      },
      set: { type: "string", value: "<KEY=VALUE>", description: "a model variable by its exact name" },
      repo: { type: "string", value: "<dir>", description: "the fleet repository", default: "gitops" },
      namespace: {
        type: "string",
        value: "<ns>",
        description: "namespace of the model's objects",
        default: "slices",
      },
      "depends-on": {
        type: "string",
        value: "<name>",
        description: "Kustomization the instance waits for",
        default: "apps",
      },
      shard: {
        type: "string",
        value: "<shard>",
        description:
          "the Flux shard that reconciles the instance (label sharding.fluxcd.io/key; one of the platform's flux.install.scaling.shards)",
      },
      source: {
        type: "string",
        value: "<name>",
        description:
          "the GitRepository the instance pulls its model from: a subset of the root source that holds the catalog (one of the platform's flux.source.subsets), so each reconcile unpacks the catalog only",
        default: "flux-system",
      },
      "dry-run": { type: "boolean", description: "print the files instead of writing them" },
      force: { type: "boolean", description: "overwrite an instance that exists" },
    },
    freeOptions: {
      usage: "--<variable> <value> ...",
      description: "a model variable: --sst 1 sets SST, --latency-ms 5 sets LATENCY_MS",
    },
  },
  // Every option the spec does not name is a model variable: the scaffolder's own parser reads them.
  parse: () => ({ positionals: [], values: {} }),
  async run({ argv }, io) {
    const gitops = await import("../automation/gitops");
    const args = gitops.parseNewSliceArgs(argv);
    const usage = formatHelp(gitopsNewSlice.spec);
    const missing = (["cluster", "model"] as const).filter((k) => !args[k]);
    if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(" and ")}`, usage);
    const repoDir = path.resolve(existingDir(args.repo ?? "gitops", "--repo", "fleet repository folder"));
    if (!fs.existsSync(path.join(repoDir, "clusters", args.cluster!)))
      throw new gitops.ScaffoldError(
        `--cluster ${args.cluster}: no clusters/${args.cluster}/ in ${displayPath(repoDir)}: the platform's tree must exist first`,
      );
    const model = gitops.readSliceModel(repoDir, args.model!);
    // A flag that is neither an option nor a variable of the model is most likely a typo of one.
    const uses = [...model.required, ...Object.keys(model.optional)].map((v) =>
      v.toLowerCase().replace(/_/g, "-"),
    );
    const flags = [...Object.keys(gitopsNewSlice.spec.options), ...uses];
    for (const a of argv) {
      const name = /^--([^=]+)/.exec(a)?.[1];
      if (name === undefined || flags.includes(name)) continue;
      const near = closest(name, flags);
      throw new UsageError(
        `unknown option --${name}: ${near ? `did you mean --${near}?` : `model ${model.name} uses ${uses.map((u) => `--${u}`).join(", ")}`}`,
        usage,
      );
    }
    const files = gitops.scaffoldSlice({
      cluster: args.cluster!,
      model,
      values: args.values,
      namespace: args.namespace,
      dependsOn: args.dependsOn,
      shard: args.shard,
      source: args.source,
      sourceKind: gitops.rootSourceKindInTree(repoDir, args.cluster!),
      command: gitops.recordedCommand(argv),
    });
    // Every file checked before any is written: no link on the way (--force or not), none overwritten without --force.
    if (!args.dryRun)
      for (const f of files) {
        const problem = gitops.writeProblem(repoDir, f.path, "gitops:new-slice");
        if (problem) throw new gitops.ScaffoldError(problem);
        if (fs.existsSync(path.join(repoDir, f.path)) && !args.force)
          throw new gitops.ScaffoldError(`${f.path} exists: pass --force to overwrite it`);
      }
    for (const f of files) {
      const target = path.join(repoDir, f.path);
      if (args.dryRun) {
        io.out(`--- ${f.path}\n${f.content}`);
        continue;
      }
      gitops.writeRepoFile(repoDir, f.path, f.content, args.force);
      io.out(`wrote ${displayPath(target)}`);
    }
    if (!args.dryRun) io.out("check it with: npm run gitops:lint");
    return 0;
  },
};

if (require.main === module) start(gitopsNewSlice);
