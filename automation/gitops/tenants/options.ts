/**
 * The options of `gitops:new-tenant` checked before anything is written: every value with the
 * project's shared rules (Kubernetes names from components/k8sNames.ts, URLs from
 * components/url.ts, Git refs and semver ranges as the root source takes them), every problem at once.
 */
import { InputError } from "../../cli/args";
import { isSemverConstraint } from "../../../components/flux/problems/source";
import {
  dnsLabelProblem,
  gitRefProblem,
  quoted,
  semverRangeMatchesNothing,
} from "../../../components/k8sNames";
import { redactUrl, urlProblems } from "../../../components/url";
import { hasControlCharacter } from "../shared/sandbox";

/** A user error of the tenant scaffolder: every problem at once (exit 1). */
export class TenantError extends InputError {}

export const SOURCE_KINDS = ["git", "oci", "helm-oci"] as const;
export type TenantSourceKind = (typeof SOURCE_KINDS)[number];

/** How the source follows the vendor's releases, as Flux's `spec.ref` takes it. */
export interface TenantRef {
  kind: "tag" | "semver" | "branch" | "commit" | "digest";
  value: string;
}

export interface TenantQuota {
  /** requests.cpu and limits.cpu of the namespace's ResourceQuota (limits twice the requests). */
  cpu: string;
  memory: string;
  pods: string;
}

export const CREDENTIALS = ["sops", "external-secrets", "stack"] as const;
/** Where the credential Secret comes from: SOPS in the repository, Secrets Manager, or the stack file. */
export type TenantCredentials = (typeof CREDENTIALS)[number];

export const DEFAULT_QUOTA: TenantQuota = { cpu: "4", memory: "8Gi", pods: "50" };

export interface TenantSpec {
  name: string;
  /** The tenant's namespaces; the first holds its source, its credential and its reconcilers. */
  namespaces: string[];
  /** The platforms that include it (clusters/<platform>/ must exist). */
  clusters: string[];
  source: TenantSourceKind;
  url: string;
  /** git and oci: what the source follows. */
  ref?: TenantRef;
  /** git and oci: the folder of the vendor's artifact the Kustomization applies. */
  path?: string;
  /** helm-oci: the chart and its version (a version or a semver range). */
  chart?: string;
  chartVersion?: string;
  quota: TenantQuota;
  credentials: TenantCredentials;
}

/** The raw option values, as the command line gives them (undefined when not given). */
export interface TenantOptions {
  name?: string;
  namespaces?: string;
  cluster?: string;
  source?: string;
  url?: string;
  ref?: string;
  path?: string;
  chart?: string;
  "chart-version"?: string;
  "quota-cpu"?: string;
  "quota-memory"?: string;
  "quota-pods"?: string;
  credentials?: string;
}

/** Namespaces no tenant may have: the cluster's and Flux's own. */
const RESERVED_NAMESPACES = ["default", "flux-system", "kube-system", "kube-public", "kube-node-lease"];

/** A Kubernetes quantity as a quota takes it: a number and an optional suffix (`500m`, `8Gi`, `4`). */
const QUANTITY = /^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const REFS: Record<TenantSourceKind, TenantRef["kind"][]> = {
  git: ["tag", "semver", "branch", "commit"],
  oci: ["tag", "semver", "digest"],
  "helm-oci": [],
};

/** `a,b , c` → ["a", "b", "c"]. */
const list = (v: string) => v.split(",").map((s) => s.trim());

function refProblems(source: TenantSourceKind, raw: string): { ref?: TenantRef; problems: string[] } {
  const colon = raw.indexOf(":");
  const kinds = REFS[source];
  const forms = kinds.map((k) => `${k}:<${k === "semver" ? "range" : k}>`).join(", ");
  if (colon < 1) return { problems: [`--ref ${quoted(raw)}: write one of ${forms}, e.g. tag:v1.0.0`] };
  const kind = raw.slice(0, colon) as TenantRef["kind"];
  const value = raw.slice(colon + 1);
  if (!kinds.includes(kind))
    return {
      problems: [`--ref ${quoted(raw)}: a ${source} source follows ${forms}, e.g. tag:v1.0.0`],
    };
  const problems: string[] = [];
  if (value === "")
    problems.push(`--ref ${raw}: give the ${kind} after the colon, e.g. ${kind}:${example(kind)}`);
  else if (kind === "semver") {
    if (!isSemverConstraint(value))
      problems.push(
        `--ref ${quoted(raw)}: ${quoted(value)} is not a semver range Flux accepts: write e.g. ">=1.0.0 <2.0.0", "1.x", "~1.2" or "^1.2.3"`,
      );
    else {
      const nothing = semverRangeMatchesNothing(value);
      if (nothing) problems.push(`--ref ${raw}: ${nothing}`);
    }
  } else if (kind === "commit") {
    if (!/^[0-9a-f]{40}$/.test(value))
      problems.push(`--ref ${quoted(raw)}: a commit is its full 40-hex-digit SHA-1, in lower case`);
  } else if (kind === "digest") {
    if (!/^sha256:[0-9a-f]{64}$/.test(value))
      problems.push(`--ref ${quoted(raw)}: a digest is sha256: and 64 hex digits, in lower case`);
  } else {
    const p = gitRefProblem(value);
    if (p) problems.push(`--ref ${kind}:…: ${p}: write one such as ${example(kind)}`);
  }
  return { ref: problems.length ? undefined : { kind, value }, problems };
}

const example = (kind: TenantRef["kind"]) =>
  ({
    tag: "v1.0.0",
    semver: ">=1.0.0",
    branch: "main",
    commit: "<40 hex digits>",
    digest: "sha256:<64 hex>",
  })[kind];

function urlProblemsOf(source: TenantSourceKind, url: string): string[] {
  const where = `the tenant's Secret (${source === "git" ? "an SSH key" : "a dockerconfigjson"}; see docs/tenants.md)`;
  if (source === "git") {
    if (/^[^@/\s]+@[^:/\s]+:(?!\/\/)/.test(url))
      return [`is the scp-like form, which Flux does not accept: write ssh://${url.replace(":", "/")}`];
    const problems = urlProblems(url, { schemes: ["ssh", "https"], credentialsIn: where });
    if (!problems.length && url.startsWith("https://"))
      return ["is an https:// URL: a tenant's Git source is read with its own SSH key, write its ssh:// URL"];
    return problems;
  }
  return urlProblems(url, { schemes: ["oci"], credentialsIn: where });
}

/** A folder of the vendor's artifact: `./` or `./a/b`, relative, without `..`. */
function pathProblem(p: string): string | undefined {
  if (hasControlCharacter(p) || /\s/.test(p))
    return "must not contain spaces, newlines or control characters";
  if (!/^\.\/([A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?)?$/.test(p) || p.split("/").includes(".."))
    return "must be a folder of the vendor's artifact written ./ or ./some/folder (letters, digits, '.', '_', '-'; no ..)";
  return undefined;
}

/**
 * The tenant described by `o`, or TenantError with every problem. `taken` maps a namespace some
 * other part of the repository already declares to where (a file), for namespaces a tenant may not take.
 */
export function tenantSpec(o: TenantOptions, taken: Map<string, string> = new Map()): TenantSpec {
  const problems: string[] = [];
  // A value is one line: it is written into YAML and recorded in the files' comments.
  for (const [k, v] of Object.entries(o))
    if (typeof v === "string" && hasControlCharacter(v))
      problems.push(`--${k}: the value holds a newline or another control character: give it on one line`);
  if (problems.length)
    throw new TenantError(`cannot scaffold tenant:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const label = (flag: string, v: string, extra = "") => {
    const p = dnsLabelProblem(v);
    if (p) problems.push(`${flag} ${quoted(v)}: ${p}${extra}`);
    return p === undefined;
  };
  const missing = (["name", "cluster", "source", "url"] as const).filter((k) => o[k] === undefined);
  if (missing.length)
    problems.push(
      `missing ${missing.map((k) => `--${k}`).join(", ")}: see npm run gitops:new-tenant -- --help`,
    );
  const name = o.name ?? "";
  // Every object of the tenant carries its name as a label value (at most 63) and a RoleBinding `<name>-reconciler`.
  if (o.name !== undefined) label("--name", name);
  const namespaces = o.namespaces === undefined ? [name] : list(o.namespaces);
  if (o.namespaces !== undefined) for (const ns of namespaces) label("--namespaces", ns);
  for (const ns of namespaces) {
    if (ns === "" || dnsLabelProblem(ns)) continue;
    if (RESERVED_NAMESPACES.includes(ns) || ns.startsWith("kube-"))
      problems.push(
        `--namespaces: ${ns} is the cluster's or Flux's own namespace: a tenant gets namespaces of its own, e.g. ${name || "vendor"}-nf`,
      );
    else if (taken.has(ns))
      problems.push(
        `--namespaces: ${ns} is already declared by ${taken.get(ns)}: a tenant's namespaces are its own, choose another name`,
      );
  }
  const dup = namespaces.find((ns, i) => namespaces.indexOf(ns) !== i);
  if (dup !== undefined) problems.push(`--namespaces lists ${dup} twice: list each namespace once`);
  const clusters = o.cluster === undefined ? [] : list(o.cluster);
  for (const c of clusters) label("--cluster", c, "; it names clusters/<platform>/ in the repository");
  const cdup = clusters.find((c, i) => clusters.indexOf(c) !== i);
  if (cdup !== undefined) problems.push(`--cluster lists ${cdup} twice: list each platform once`);

  let source: TenantSourceKind = "git";
  if (o.source !== undefined) {
    if ((SOURCE_KINDS as readonly string[]).includes(o.source)) source = o.source as TenantSourceKind;
    else problems.push(`--source ${quoted(o.source)}: one of ${SOURCE_KINDS.join(", ")}`);
  }
  const sourceOk = o.source === undefined || (SOURCE_KINDS as readonly string[]).includes(o.source);
  if (o.url !== undefined && sourceOk)
    for (const p of urlProblemsOf(source, o.url)) problems.push(`--url ${redactUrl(o.url)} ${p}`);

  let ref: TenantRef | undefined;
  if (sourceOk && o.source !== undefined) {
    if (source === "helm-oci") {
      for (const [flag, v] of [
        ["--ref", o.ref],
        ["--path", o.path],
      ] as const)
        if (v !== undefined)
          problems.push(
            `${flag} is for git and oci sources: a helm-oci source takes --chart and --chart-version`,
          );
      if (o.chart === undefined)
        problems.push("--source helm-oci needs --chart <name> (the chart in the registry)");
      else if (o.chart.length > 53 || dnsLabelProblem(o.chart))
        problems.push(
          `--chart ${quoted(o.chart)}: a chart name is lower-case letters, digits and '-', at most 53 (it names the HelmRelease and the Helm release)`,
        );
      if (o["chart-version"] === undefined)
        problems.push(
          '--source helm-oci needs --chart-version <version or range>, e.g. 1.2.0 or ">=1.0.0 <2.0.0"',
        );
      else if (!isSemverConstraint(o["chart-version"]))
        problems.push(
          `--chart-version ${quoted(o["chart-version"])}: not a version or semver range Helm accepts: write e.g. 1.2.0 or ">=1.0.0 <2.0.0"`,
        );
      else {
        const nothing = semverRangeMatchesNothing(o["chart-version"]);
        if (nothing) problems.push(`--chart-version: ${nothing}`);
      }
    } else {
      for (const [flag, v] of [
        ["--chart", o.chart],
        ["--chart-version", o["chart-version"]],
      ] as const)
        if (v !== undefined)
          problems.push(`${flag} is for a helm-oci source: a ${source} source takes --ref and --path`);
      if (o.ref === undefined)
        problems.push(`--source ${source} needs --ref, e.g. --ref tag:v1.0.0 or --ref 'semver:>=1.0.0'`);
      else {
        const r = refProblems(source, o.ref);
        problems.push(...r.problems);
        ref = r.ref;
      }
      const p = o.path === undefined ? undefined : pathProblem(o.path);
      if (p) problems.push(`--path ${quoted(o.path!)} ${p}`);
    }
  }
  const credentials = (o.credentials ?? "sops") as TenantCredentials;
  if (!CREDENTIALS.includes(credentials))
    problems.push(`--credentials ${quoted(o.credentials!)}: one of ${CREDENTIALS.join(", ")}`);
  const quota = { ...DEFAULT_QUOTA };
  for (const k of ["cpu", "memory", "pods"] as const) {
    const v = o[`quota-${k}`];
    if (v === undefined) continue;
    if (k === "pods" ? !/^[1-9]\d{0,5}$/.test(v) : !QUANTITY.test(v) || /^0+(\.0+)?[a-zA-Z]*$/.test(v))
      problems.push(
        `--quota-${k} ${quoted(v)}: ${k === "pods" ? "a whole number of pods, e.g. 50" : `a Kubernetes quantity above zero, e.g. ${k === "cpu" ? "4 or 500m" : "8Gi or 512Mi"}`}`,
      );
    else quota[k] = v;
  }
  if (problems.length)
    throw new TenantError(
      `cannot scaffold tenant ${o.name ?? "(no --name)"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return {
    name,
    namespaces,
    clusters,
    source,
    url: o.url!,
    ...(ref ? { ref } : {}),
    ...(source === "helm-oci"
      ? { chart: o.chart, chartVersion: o["chart-version"] }
      : { path: o.path ?? "./" }),
    quota,
    credentials,
  };
}
