// npm run gitops:diff -- [<from-ref> [<to-ref>]] [--repo <dir>] [--project <dir>] [--tag <tag>] [--json] (see --help)
import { start, type Cli } from "./common";

export const gitopsDiff: Cli = {
  spec: {
    name: "gitops:diff",
    summary:
      "What each platform gets between two revisions of the fleet repository, offline: every Kustomization built with kustomize, substituted with the platform's own cluster-vars and root ref; objects added, removed, renamed and changed field by field, secrets redacted. Markdown for a merge-request comment, or JSON. Exit 0: no platform changes; 1: some platform changes; 2: the diff could not be made, or a platform's tree did not build at one side (the report says what). Reads only files inside the repository and fetches nothing (docs/gitops.md, Trust).",
    positionals: [
      {
        name: "[from-ref]",
        description: "branch, tag or commit of the fleet repository",
        optional: true,
        default: "the merge base with main",
      },
      { name: "[to-ref]", description: "branch, tag or commit", optional: true, default: "the working tree" },
    ],
    options: {
      repo: { type: "string", value: "<dir>", description: "the fleet repository", default: "gitops" },
      project: {
        type: "string",
        value: "<dir>",
        description: "folder holding the Pulumi.<stack>.yaml files the platforms' cluster-vars come from",
        default: "the repository's parent folder",
      },
      tag: {
        type: "string",
        value: "<tag>",
        description: "platforms pinned to a tag get this tag on the to side (preview moving their pin)",
      },
      json: { type: "boolean", description: "print the diff as JSON" },
      all: {
        type: "boolean",
        description:
          "build every platform, also those no changed file reaches (by default they are skipped, and the report says so); a tree that fails to build the same way at both sides is then reported too",
      },
      "no-cache": {
        type: "boolean",
        description:
          "build afresh, without the cache of kustomize builds and stack-file renders (PLATFORM_GITOPS_CACHE=off does the same)",
      },
    },
  },
  async run({ argv }, io) {
    // The diff room alone: the package index loads the slice tools and the Pulumi SDK.
    const { runGitopsDiff } = await import("../automation/gitops/diff");
    return runGitopsDiff(argv, io);
  },
};

if (require.main === module) {
  // The renders behind the platforms' cluster-vars capture a stack trace per resource; source-mapping
  // them costs more than the diff itself.
  process.setSourceMapsEnabled(false);
  start(gitopsDiff);
}
