/**
 * `gitops:new-tenant` against a fleet repository: the options checked (with the namespaces the
 * repository already declares), the tenant's files, each platform's `tenants.yaml` when it has none
 * and `tenants.yaml` listed in its kustomization.yaml. Every write is checked before any is made,
 * inside the repository only (shared/sandbox.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isSeq, parseDocument, type YAMLMap } from "yaml";
import { asK8s, ManifestCache } from "../shared/manifests";
import { readRepoText, writeProblem } from "../shared/sandbox";
import { recordedCommandOf } from "../shared/command";
import { rootSourceKindInTree } from "../shared/tree";
import { TenantError, tenantSpec, type TenantOptions } from "./options";
import { platformTenantsFile, renderTenant, type TenantFile } from "./render";

const TOOL = "gitops:new-tenant";

/** A file to write: `overwrite` when it replaces one (with --force, or an edit of a platform's kustomization.yaml). */
export interface PlannedFile extends TenantFile {
  overwrite: boolean;
}

/** Namespaces the repository declares outside `tenants/<tenant>/`, with the file of each. */
export function declaredNamespaces(repoDir: string, tenant: string): Map<string, string> {
  const cache = new ManifestCache(repoDir);
  const out = new Map<string, string>();
  for (const file of cache.allFiles()) {
    if (file.startsWith(`tenants/${tenant}/`)) continue;
    for (const doc of cache.read(file).docs) {
      const obj = asK8s(doc);
      if (obj?.kind === "Namespace" && obj.apiVersion === "v1" && typeof obj.metadata.name === "string")
        if (!out.has(obj.metadata.name)) out.set(obj.metadata.name, file);
    }
  }
  return out;
}

/** The platform's kustomization.yaml with `tenants.yaml` added to its resources; undefined when listed. */
export function withTenantsListed(file: string, text: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new TenantError(
      `${file}: ${doc.errors[0].message.split("\n")[0]}: fix the file first (npm run gitops:lint)`,
    );
  const map = doc.contents as YAMLMap | null;
  const resources = map?.get?.("resources", true);
  if (resources !== undefined && !isSeq(resources))
    throw new TenantError(`${file}: resources is not a list: fix the file first (npm run gitops:lint)`);
  const items = resources ? resources.items.map((i) => String((i as { value?: unknown }).value ?? i)) : [];
  if (items.some((i) => i.replace(/^\.\//, "") === "tenants.yaml" || i.replace(/^\.\//, "") === "tenants"))
    return undefined;
  if (resources) resources.add(doc.createNode("tenants.yaml"));
  else doc.set("resources", ["tenants.yaml"]);
  return doc.toString({ lineWidth: 0 });
}

export interface NewTenantInput {
  repoDir: string;
  options: TenantOptions;
  force: boolean;
  command?: string;
}

/** Every file the command would write, checked; TenantError (every problem of the options at once) otherwise. */
export function planTenant(input: NewTenantInput): PlannedFile[] {
  const { repoDir, options, force } = input;
  const spec = tenantSpec(options, declaredNamespaces(repoDir, options.name ?? ""));
  const missing = spec.clusters.filter(
    (c) => !fs.existsSync(path.join(repoDir, "clusters", c, "kustomization.yaml")),
  );
  if (missing.length)
    throw new TenantError(
      missing
        .map(
          (c) =>
            `--cluster ${c}: no clusters/${c}/kustomization.yaml in the repository: the platform's tree must exist first (platforms: ${platforms(repoDir).join(", ") || "none"})`,
        )
        .join("\n"),
    );
  const rootKinds = Object.fromEntries(spec.clusters.map((c) => [c, rootSourceKindInTree(repoDir, c)]));
  const files: PlannedFile[] = renderTenant({
    spec,
    rootKinds,
    command: input.command,
  }).map((f) => ({ ...f, overwrite: force }));
  for (const c of spec.clusters) {
    const shared = platformTenantsFile(c, rootKinds[c]);
    if (!fs.existsSync(path.join(repoDir, shared.path))) files.push({ ...shared, overwrite: false });
    const k = `clusters/${c}/kustomization.yaml`;
    const read = readRepoText(repoDir, k);
    if (!("text" in read)) throw new TenantError(read.problem);
    const edited = withTenantsListed(k, read.text);
    if (edited !== undefined) files.push({ path: k, content: edited, overwrite: true });
  }
  const problems: string[] = [];
  for (const f of files) {
    const p = writeProblem(repoDir, f.path, TOOL);
    if (p) problems.push(p);
    else if (!f.overwrite && fs.existsSync(path.join(repoDir, f.path)))
      problems.push(`${f.path} exists: pass --force to overwrite the tenant's files`);
  }
  if (problems.length) throw new TenantError([...new Set(problems)].join("\n"));
  return files;
}

function platforms(repoDir: string): string[] {
  const dir = path.join(repoDir, "clusters");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The command line recorded in the files (see shared/command.ts). */
export const recordedTenantCommand = (argv: string[]) => recordedCommandOf(TOOL, argv);
