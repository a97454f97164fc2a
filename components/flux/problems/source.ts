/** The root source's URL and ref fit its kind (Git or OCI) and its credentials. */
import { dnsSubdomainProblem, gitRefProblem, quoted, semverRangeMatchesNothing } from "../../k8sNames";
import { ROOT_NAME } from "../objects";
import { subsetDir } from "../args";
import type { Problem } from "../../problems";
import type { Check } from "./check";
import { redactUrl, urlProblems } from "../../url";

/** Where a source credential goes instead of the URL. */
const SOURCE_CREDENTIALS =
  "auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider";

// Flux reads `ref.semver` as a Masterminds/semver v3 constraint: comparisons (=, !=, >, <, >=, <=,
// =<, ~, ~>, ^ and a bare version), partial versions and x/X/* wildcards, hyphen ranges (1.2 - 1.4),
// AND by comma or space, OR by ||.
const SEMVER_VERSION = String.raw`v?(?:0|[1-9]\d*|[xX*])(?:\.(?:0|[1-9]\d*|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`;
const SEMVER_TERM = String.raw`(?:${SEMVER_VERSION}\s+-\s+${SEMVER_VERSION}|(?:!=|>=|<=|=<|~>|=|>|<|~|\^)?\s*${SEMVER_VERSION})`;
const SEMVER_GROUP = String.raw`${SEMVER_TERM}(?:\s*,\s*|\s+)?(?:${SEMVER_TERM}(?:\s*,\s*|\s+)?)*`;
const SEMVER_CONSTRAINT = new RegExp(String.raw`^\s*${SEMVER_GROUP}(?:\s*\|\|\s*${SEMVER_GROUP})*\s*$`);

/** Whether Flux accepts `range` as a semver constraint (`ref.semver`). */
export function isSemverConstraint(range: string): boolean {
  return SEMVER_CONSTRAINT.test(range);
}

const at = (message: string): Problem => ({ path: "source.url", message });

export const checkSource: Check = (flux) => {
  const { source, auth } = flux;
  const out: Problem[] = [];
  const url = source.url;
  const scp = /^([^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  if (source.kind === "git") {
    if (scp && !/^[a-z]+:\/\//.test(url)) {
      const user = scp[1]?.includes(":") ? "git@" : (scp[1] ?? "git@");
      out.push({
        path: "source.url",
        message: `"${redactUrl(url)}" is the scp-like form, which Flux does not accept: write ssh://${user}${scp[2]}/${scp[3]}`,
      });
      if (scp[1]?.includes(":"))
        out.push(...urlProblems(url, { schemes: ["ssh"], credentialsIn: SOURCE_CREDENTIALS }).map(at));
    } else if (!/^(ssh|https?):\/\//.test(url)) {
      out.push({
        path: "source.url",
        message: `"${redactUrl(url)}" must start with ssh://, https:// or http://`,
      });
    } else {
      out.push(
        ...urlProblems(url, { schemes: ["ssh", "https", "http"], credentialsIn: SOURCE_CREDENTIALS }).map(at),
      );
    }
    if (source.ref.digest !== undefined)
      out.push({
        path: "source.ref.digest",
        message: "is for OCI sources; a Git source takes tag, semver, branch, commit or name",
      });
    if (source.verify?.provider)
      out.push({
        path: "source.verify.provider",
        message: "is for OCI sources; Git verification takes mode and publicKeys",
      });
    for (const name of Object.keys(source.verify?.publicKeys ?? {}))
      if (!/\.(asc|sshpub)$/.test(name))
        out.push({
          path: `source.verify.publicKeys.${name}`,
          message: "key names must end in .asc (PGP) or .sshpub (SSH)",
        });
  } else {
    if (!url.startsWith("oci://"))
      out.push({
        path: "source.url",
        message: `"${redactUrl(url)}" must start with oci:// for an OCI source`,
      });
    else out.push(...urlProblems(url, { schemes: ["oci"], credentialsIn: SOURCE_CREDENTIALS }).map(at));
    for (const k of ["branch", "commit", "name"] as const)
      if (source.ref[k] !== undefined)
        out.push({
          path: `source.ref.${k}`,
          message: "is for Git sources; an OCI source takes tag, semver or digest",
        });
    if (source.verify?.mode)
      out.push({
        path: "source.verify.mode",
        message: "is for Git sources; OCI verification takes provider (cosign or notation)",
      });
    if (auth.type !== "none" && auth.type !== "https" && source.provider !== "aws")
      out.push({
        path: "auth.type",
        message: `${auth.type} authentication is for Git; an OCI source takes https (registry username/password) or none with a provider`,
      });
  }
  if (source.ref.semver !== undefined && !isSemverConstraint(source.ref.semver))
    out.push({
      path: "source.ref.semver",
      message: `${JSON.stringify(source.ref.semver)} is not a semver range Flux accepts: write e.g. ">=1.0.0 <2.0.0", "1.x", "~1.2" or "^1.2.3" (|| for alternatives)`,
    });
  else if (source.ref.semver !== undefined) {
    const nothing = semverRangeMatchesNothing(source.ref.semver);
    if (nothing) out.push({ path: "source.ref.semver", message: nothing });
  }
  for (const k of ["branch", "tag", "name"] as const) {
    const ref = source.ref[k];
    const problem = ref === undefined ? undefined : gitRefProblem(ref);
    if (problem)
      out.push({
        path: `source.ref.${k}`,
        message: `${problem}: write one such as ${k === "name" ? "refs/heads/main" : k === "tag" ? "v1.4.0" : "main"}`,
      });
  }
  if (source.kind === "git" && auth.type === "ssh" && !url.startsWith("ssh://"))
    out.push({
      path: "auth.type",
      message: `SSH authentication needs an ssh:// URL, but the source URL is "${redactUrl(url)}"`,
    });
  if (
    (auth.type === "https" || auth.type === "githubApp") &&
    source.kind === "git" &&
    !/^https?:\/\//.test(url)
  )
    out.push({
      path: "auth.type",
      message: `${auth.type} authentication needs an https:// URL, but the source URL is "${redactUrl(url)}"`,
    });
  out.push(...subsetProblems(flux.source));
  return out;
};

/** `source.subsets`: Git only, names of their own, directories inside the repository. */
function subsetProblems(source: Parameters<Check>[0]["source"]): Problem[] {
  const out: Problem[] = [];
  const subsets = Object.entries(source.subsets ?? {});
  if (subsets.length && source.kind !== "git")
    return [
      {
        path: "source.subsets",
        message:
          "needs a Git root source: an OCI artifact is always fetched whole (GitRepository spec.sparseCheckout has no OCI counterpart); remove source.subsets",
      },
    ];
  for (const [name, dirs] of subsets) {
    const path = `source.subsets.${name}`;
    const nameProblem =
      name === ROOT_NAME
        ? `is the root source's own name: give the subset another name, e.g. slice-catalog`
        : dnsSubdomainProblem(name);
    if (nameProblem) out.push({ path, message: `the name ${quoted(name)} ${nameProblem}` });
    if (!dirs.length)
      out.push({
        path,
        message: "lists no directory: name the repository directories it carries, e.g. [catalog/slices]",
      });
    const seen = new Set<string>();
    dirs.forEach((dir, i) => {
      const clean = subsetDir(dir);
      const problem =
        !clean || clean === "."
          ? "is the whole repository: use the root source flux-system instead of a subset"
          : dir.startsWith("/") || clean.split("/").includes("..")
            ? "must be a directory inside the repository, relative to its top, without .."
            : /[*?[\]\\!\s]/.test(clean)
              ? "must be a plain directory path: sparse checkout takes directories, not patterns or spaces"
              : seen.has(clean)
                ? "is listed twice"
                : undefined;
      seen.add(clean);
      if (problem) out.push({ path: `${path}[${i}]`, message: `${quoted(dir)} ${problem}` });
    });
  }
  return out;
}
