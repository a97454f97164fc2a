/** Shared fixtures of the gitops tests: the shipped fleet repository, copies of it, and contracts. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLUSTER_VARS } from "../../../components/flux/clusterVars";
import { ALWAYS_KEYS, formatFinding, lintFleet, type PlatformContract } from "../../../automation/gitops";
import { testGitopsCache } from "../../helpers/gitopsCache";

export const SHIPPED = path.resolve(__dirname, "../../../gitops");

const keys = (...extra: string[]) =>
  Object.fromEntries([...ALWAYS_KEYS, ...extra].map((k) => [k, undefined]));
const AWS_KEYS = Object.entries(CLUSTER_VARS)
  .filter(([, s]) => ["aws", "dns", "secrets", "cluster.kind is eks"].includes(s.presentWhen))
  .map(([k]) => k);

/**
 * The shipped platforms' contracts, as the stack files give them (without running the render):
 * local has a site and SLICE_DEFAULT_MCC; de-dev is EKS with DNS and secrets; de-prod is prod on a tag.
 */
export function shippedContracts(): Map<string, PlatformContract> {
  const base = { origin: "test", prod: false };
  return new Map<string, PlatformContract>([
    [
      "local",
      {
        ...base,
        platform: "local",
        rootPath: "./clusters/local",
        clusterVars: { ...keys("PLATFORM_SITE"), SLICE_DEFAULT_MCC: "001" },
        sourceUrl: "https://github.com/acme-telco/platform-fleet.git",
      },
    ],
    [
      "de-dev",
      {
        ...base,
        platform: "de-dev",
        rootPath: "./clusters/de-dev",
        clusterVars: keys("PLATFORM_COUNTRY", ...AWS_KEYS, "FLUX_CHARTS_URL", "FLUX_CHARTS_PROVIDER"),
        rootSourceKind: "OCIRepository",
        sourceOrigin: "https://github.com/acme-telco/platform-fleet",
      },
    ],
    [
      "de-prod",
      {
        ...base,
        platform: "de-prod",
        prod: true,
        rootPath: "./clusters/de-prod",
        clusterVars: keys("PLATFORM_COUNTRY", "PLATFORM_SITE"),
        sourceUrl: "ssh://git@github.com/acme-telco/platform-fleet.git",
        rootRef: { kind: "tag", value: "v1.0.0", file: "Pulumi.prod.yaml", line: 30 },
      },
    ],
  ]);
}

/** A fresh copy of the shipped repository in a temporary directory. */
export function copyOfShipped(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-"));
  fs.cpSync(SHIPPED, dir, { recursive: true });
  return dir;
}

/** Edit a file of a copy: replace `from` (which must occur) with `to`. */
export function edit(repo: string, file: string, from: string, to: string): void {
  const p = path.join(repo, file);
  const text = fs.readFileSync(p, "utf8");
  if (!text.includes(from)) throw new Error(`test setup: ${file} has no ${JSON.stringify(from)}`);
  fs.writeFileSync(p, text.replace(from, to));
}

/** Write a file into a copy. */
export function write(repo: string, file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), content);
}

/**
 * Lint a repository with the shipped contracts; findings as `file:line: [rule] message (platform)`.
 * kustomize builds go through the run's build cache (test/helpers/gitopsCache.ts): the copies the
 * tests lint differ from the shipped repository in a file or two, so most builds are made once per
 * run; `cache: null` runs every build.
 */
export async function lintLines(
  repo: string,
  contracts = shippedContracts(),
  cache: string | null | undefined = testGitopsCache(),
): Promise<string[]> {
  const result = await lintFleet(repo, { contracts, cacheRoot: cache ?? undefined });
  return result.findings.map((f) => formatFinding(f));
}

/** The platform rows of a gitops:diff Markdown table of the template, commit ids as `(sha)`. */
export function templateDiffRows(markdown: string): string[] {
  return markdown
    .split("\n")
    .filter((l) => /^\| (local|de-dev|de-prod) /.test(l))
    .map((l) => l.replace(/\([0-9a-f]{7}\)/g, "(sha)"));
}

/** Lint a fresh copy of the shipped repository after `breakIt` changed it; the copy is removed after. */
export async function lintBrokenCopy(
  breakIt: (repo: string) => void,
  contracts = shippedContracts(),
): Promise<string[]> {
  const repo = copyOfShipped();
  try {
    breakIt(repo);
    return await lintLines(repo, contracts);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}
