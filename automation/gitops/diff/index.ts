/** gitops:diff: what every platform would get between two revisions of the fleet repository. */
export { diffFleet, DiffError, type DiffOptions, type FleetDiff, type PlatformDiff } from "./diff";
export { fieldChanges, redact } from "./compare";
export { runGitopsDiff } from "./diffCommand";
export { diffMarkdown } from "./diffReport";
