// The official flux CLI as an independent oracle of gitops:lint's builds (issue 23, item 12): for every
// Kustomization of every platform of the template fleet repository (gitops/, with the stack files'
// cluster-vars), the objects gitops:lint builds must equal what `flux build kustomization --dry-run`
// builds from the same path with the same variables. Ordering aside, any difference fails and names
// the object. The flux CLI is the one scripts/e2e/build-tools.sh builds at the pinned Flux version.
//
//   npm run test:flux-oracle
//   npm run test:flux-oracle -- --break substitution   # lint's variables tampered with: must fail
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { treeContextOf } from "../../automation/gitops/shared/contract";
import { stackContracts } from "../../automation/gitops/shared/stackContracts";
import { KustomizeBuilder } from "../../automation/gitops/shared/kustomize";
import { ManifestCache } from "../../automation/gitops/shared/manifests";
import {
  key,
  variablesOf,
  walkTree,
  type KsNode,
  type PlatformTree,
} from "../../automation/gitops/shared/tree";
import { ensureTools, REPO_ROOT } from "../e2e/harness/tools";
import { canonical } from "../e2e/harness/util";

const run = promisify(execFile);
const BREAK = process.argv.includes("--break")
  ? process.argv[process.argv.indexOf("--break") + 1]
  : undefined;
if (BREAK !== undefined && BREAK !== "substitution") {
  console.error(`--break ${BREAK}: give substitution`);
  process.exit(2);
}

type Obj = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; [k: string]: unknown };

/**
 * What both builds are compared on: the object as applied, without what only `flux build` adds (the
 * ownership labels kustomize-controller sets on apply) and, for Secrets, without their data (flux
 * build masks it; SOPS data would need the key).
 */
function normal(o: Obj, namespace: string): Obj {
  const c = JSON.parse(JSON.stringify(o)) as Obj;
  const meta = (c.metadata ??= {});
  const labels = meta.labels as Record<string, string> | undefined;
  if (labels) {
    for (const l of Object.keys(labels)) if (l.startsWith("kustomize.toolkit.fluxcd.io/")) delete labels[l];
    if (!Object.keys(labels).length) delete meta.labels;
  }
  if (
    namespace &&
    meta.namespace === undefined &&
    c.kind !== "Namespace" &&
    !/^(Cluster|CustomResourceDefinition)/.test(String(c.kind))
  )
    meta.namespace = namespace;
  if (c.kind === "Secret") {
    delete c.data;
    delete c.stringData;
    delete c.sops;
  }
  return c;
}

const idOf = (o: Obj) =>
  `${String(o.kind)}/${String(o.metadata?.namespace ?? "")}/${String(o.metadata?.name ?? "")}`;

/** The Kustomization object `node` is, as the parent built it (the root: as the program makes it). */
function kustomizationOf(node: KsNode, tree: PlatformTree): Obj {
  const built = tree.index.get(key("Kustomization", node.namespace, node.name))?.[0]?.obj as Obj | undefined;
  return (
    built ?? {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: node.name, namespace: node.namespace },
      spec: { ...node.spec, path: tree.context.rootPath, prune: true },
    }
  );
}

async function main(): Promise<number> {
  const tools = await ensureTools(["flux"]);
  const flux = tools.path("flux");
  const repoDir = path.join(REPO_ROOT, "gitops");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "flux-oracle-"));
  const { contracts, findings } = await stackContracts(REPO_ROOT);
  if (findings.length)
    throw new Error(`the stack files have findings:\n${findings.map((f) => f.message).join("\n")}`);
  const builder = new KustomizeBuilder(repoDir);
  let compared = 0;
  let kustomizations = 0;
  const differences: string[] = [];
  try {
    for (const contract of [...contracts.values()].sort((a, b) => a.platform.localeCompare(b.platform))) {
      const tree = walkTree(new ManifestCache(repoDir), treeContextOf(contract), builder);
      for (const node of tree.nodes) {
        if (node.external || !node.spec.path) continue;
        const vars = Object.fromEntries(
          Object.entries(variablesOf(node, tree) ?? {}).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        );
        if (BREAK === "substitution" && Object.keys(vars).length) vars[Object.keys(vars)[0]] += "-tampered";
        // The same variables, inline: flux build --dry-run reads no ConfigMap from a cluster.
        const ks = kustomizationOf(node, tree);
        const spec = { ...(ks.spec as Record<string, unknown>) };
        delete spec.postBuild;
        if (node.spec.postBuild) spec.postBuild = { substitute: vars };
        const file = path.join(work, `${contract.platform}-${node.name}.yaml`);
        fs.writeFileSync(file, stringify({ ...ks, spec }));
        const { stdout } = await run(
          flux,
          [
            "build",
            "kustomization",
            node.name,
            "--namespace",
            node.namespace,
            "--path",
            path.join(repoDir, node.spec.path),
            "--kustomization-file",
            file,
            "--dry-run",
          ],
          { maxBuffer: 64 << 20 },
        );
        const theirs = new Map(
          parseAllDocuments(stdout)
            .map((d) => d.toJS() as Obj)
            .filter((o) => o && o.kind)
            .map((o) => normal(o, String(spec.targetNamespace ?? "")))
            .map((o) => [idOf(o), o]),
        );
        const ours = new Map(
          node.built.map((b) => normal(b.obj as Obj, b.namespace)).map((o) => [idOf(o), o]),
        );
        kustomizations++;
        const where = `${contract.platform}: Kustomization ${node.namespace}/${node.name} (${node.spec.path})`;
        for (const id of new Set([...ours.keys(), ...theirs.keys()])) {
          compared++;
          const a = ours.get(id);
          const b = theirs.get(id);
          if (!a) differences.push(`${where}: ${id} built by flux, not by gitops:lint`);
          else if (!b) differences.push(`${where}: ${id} built by gitops:lint, not by flux`);
          else if (canonical(a) !== canonical(b))
            differences.push(
              `${where}: ${id} differs:\n    gitops:lint ${canonical(a)}\n    flux        ${canonical(b)}`,
            );
        }
      }
    }
  } finally {
    builder.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `flux-oracle: ${kustomizations} Kustomizations of ${contracts.size} platforms, ${compared} objects compared with flux build kustomization --dry-run (flux ${path.basename(path.dirname(path.dirname(flux)))})`,
  );
  if (differences.length) {
    console.error(`flux-oracle: ${differences.length} difference(s):\n  ${differences.join("\n  ")}`);
    return 1;
  }
  console.log("flux-oracle: gitops:lint builds what flux builds");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`flux-oracle: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
