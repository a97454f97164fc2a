/**
 * YAML manifests of a fleet repository, read with their line numbers: every finding of the lint
 * points at a file and a line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  isAlias,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
} from "yaml";
import { MAX_YAML_ALIASES, readRepoText, resolveInRepo, type InRepo } from "./sandbox";
import { findVariables, type VariableUse } from "./substitution";

/** One finding of the lint. */
/**
 * Cluster-scoped kinds a fleet repository may hold: kustomize's namespace transformer
 * (targetNamespace) leaves them alone, and a tenant may own none of them but its Namespaces.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterIssuer",
  "ClusterSecretStore",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
]);

export interface Finding {
  /** File relative to the repository root (or the project, for stack files). */
  file: string;
  /** 1-based line. */
  line: number;
  /** Short rule id, e.g. `schema`, `variable`, `reference`, `cycle`, `prod-ref`, `plaintext-secret`. */
  rule: string;
  message: string;
  /** The platform whose tree the finding belongs to; absent for repository-wide findings. */
  platform?: string;
  /** `project`: `file` is relative to the project directory (a stack file), not the repository. */
  base?: "project";
}

/** A variable reference in a document, with where it sits. */
export interface PlacedVariable extends VariableUse {
  /** Keys from the document root to the scalar (`*` for a list item), e.g. `data.MCC`. */
  at: string[];
  /** The scalar is a value made of this one reference and nothing else. */
  whole: boolean;
  /** The file the reference is written in, when not the document's own (a kustomize patch or generator). */
  file?: string;
  /** kustomize built the value and its source line could not be found: `line` is the object's. */
  untraced?: boolean;
}

/** One YAML document of a manifest file. */
export interface ManifestDoc {
  /** File relative to the repository root, with `/` separators. */
  file: string;
  /** Line where the document starts. */
  line: number;
  /** The parsed value (a Kubernetes object when `kind` and `apiVersion` are set). */
  object: Record<string, unknown>;
  /** Line of a path inside the document (the nearest existing parent when the path is absent). */
  lineOf(objectPath: (string | number)[]): number;
  /** Every `${…}` in the document's keys and values (comments are not part of the output). */
  variables: PlacedVariable[];
}

export interface ManifestFile {
  file: string;
  docs: ManifestDoc[];
  /** Parse errors, as findings. */
  errors: Finding[];
}

/** A ManifestDoc's object as a Kubernetes object, or undefined when it is not one. */
export interface K8sLike {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
  };
  [key: string]: unknown;
}
export function asK8s(doc: ManifestDoc): K8sLike | undefined {
  const o = doc.object;
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") return undefined;
  const metadata = o.metadata && typeof o.metadata === "object" ? o.metadata : {};
  return { ...o, apiVersion: o.apiVersion, kind: o.kind, metadata: metadata as K8sLike["metadata"] };
}

function nodeLine(node: Node | undefined, lines: LineCounter): number | undefined {
  return node?.range ? lines.linePos(node.range[0]).line : undefined;
}

/**
 * Why a document cannot be made into data (an alias before its anchor, too many aliases), as a
 * message that quotes nothing of the file, with its line; undefined when it can.
 */
function aliasProblem(doc: Document, lines: LineCounter): { line: number; message: string } | undefined {
  const start = nodeLine(doc.contents ?? undefined, lines) ?? 1;
  const anchors = new Set<string>();
  let early: number | undefined;
  let count = 0;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      count++;
      if (!anchors.has(node.source) && early === undefined) early = nodeLine(node, lines) ?? start;
    } else if (isNode(node) && node.anchor) anchors.add(node.anchor);
  });
  if (early !== undefined)
    return {
      line: early,
      message:
        "invalid YAML: an alias (*name) is used before its anchor (&name) is set: set the anchor first, or write the value out",
    };
  if (!count) return undefined;
  try {
    doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    return undefined;
  } catch {
    return {
      line: start,
      message: `invalid YAML: its aliases expand to more than ${MAX_YAML_ALIASES} times their anchors (a resource-exhaustion pattern, "billion laughs"): write the values out`,
    };
  }
}

function toDoc(file: string, doc: Document, lines: LineCounter): ManifestDoc {
  const start = nodeLine(doc.contents ?? undefined, lines) ?? 1;
  const variables: PlacedVariable[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== "string" || !node.range) return;
      const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
      const first = lines.linePos(node.range[0]).line + (block ? 1 : 0);
      const at = ancestors.flatMap((a) =>
        isPair(a) ? [String(isScalar(a.key) ? a.key.value : a.key)] : isSeq(a) ? ["*"] : [],
      );
      const parent = ancestors[ancestors.length - 1];
      const isValue = !isPair(parent) || parent.value === node;
      const uses = findVariables(node.value);
      for (const use of uses) {
        const whole = isValue && uses.length === 1 && node.value.trim() === use.text;
        variables.push({ ...use, line: first + use.line - 1, at: isValue ? at : at.slice(0, -1), whole });
      }
    },
  });
  return {
    file,
    line: start,
    object: (doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {}) as Record<string, unknown>,
    variables,
    lineOf(objectPath) {
      for (let n = objectPath.length; n >= 0; n--) {
        const node = doc.getIn(objectPath.slice(0, n), true);
        if (isNode(node) || isScalar(node)) return nodeLine(node, lines) ?? start;
      }
      return start;
    },
  };
}

/** Parse YAML text into documents; empty documents are dropped. */
export function parseManifests(file: string, text: string): ManifestFile {
  const lines = new LineCounter();
  const docs: ManifestDoc[] = [];
  const errors: Finding[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true })) {
    if (doc.errors.length) {
      for (const e of doc.errors)
        errors.push({
          file,
          line: e.linePos?.[0].line ?? 1,
          rule: "yaml",
          message: `invalid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
        });
      continue;
    }
    if (doc.contents === null) continue;
    const alias = aliasProblem(doc, lines);
    if (alias) {
      errors.push({ file, rule: "yaml", ...alias });
      continue;
    }
    docs.push(toDoc(file, doc, lines));
  }
  return { file, docs, errors };
}

/**
 * Reads manifest files of one repository once, and parses each distinct content once: a file with
 * the same bytes as one read before (the same overlay in many platforms) gets that parse's documents
 * under its own name (the documents are shared: nothing changes a parsed document).
 */
export class ManifestCache {
  private readonly files = new Map<string, ManifestFile>();
  private readonly texts = new Map<string, ManifestFile>();
  private readonly resolved = new Map<string, InRepo>();
  constructor(readonly repoDir: string) {}

  /**
   * resolveInRepo for a path of this repository, once per path: like the files it reads, a cache
   * takes the tree as it is while the cache lives (the walks of a thousand platforms ask for the
   * same shared directories a thousand times).
   */
  resolve(rel: string): InRepo {
    let r = this.resolved.get(rel);
    if (!r) {
      r = resolveInRepo(this.repoDir, rel);
      this.resolved.set(rel, r);
    }
    return r;
  }

  /** `text` parsed as the manifests of `file`, from the parse of an equal text when there was one. */
  parse(file: string, text: string): ManifestFile {
    const same = this.texts.get(text);
    if (!same) {
      const parsed = parseManifests(file, text);
      this.texts.set(text, parsed);
      return parsed;
    }
    if (same.file === file) return same;
    return {
      file,
      docs: same.docs.map((d) => ({ ...d, file })),
      errors: same.errors.map((e) => ({ ...e, file })),
    };
  }

  /**
   * The manifests of a file relative to the repository root. A file that may not be read (a link
   * leading out of the repository, over the size bound) or does not exist has one error and no docs.
   */
  read(file: string): ManifestFile {
    let parsed = this.files.get(file);
    if (!parsed) {
      const read = readRepoText(this.repoDir, file);
      parsed =
        "text" in read
          ? this.parse(file, read.text)
          : { file, docs: [], errors: [{ file, line: 1, rule: read.rule, message: read.problem }] };
      this.files.set(file, parsed);
    }
    return parsed;
  }

  private linksToDir(rel: string): boolean {
    const r = resolveInRepo(this.repoDir, rel);
    return r.ok && r.stat.isDirectory();
  }

  /**
   * Every `.yaml`/`.yml` file of the repository, sorted. Hidden entries are skipped, and so are Helm
   * charts (a directory with Chart.yaml): their templates are Go templates, not manifests.
   */
  allFiles(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      if (rel && fs.existsSync(path.join(this.repoDir, rel, "Chart.yaml"))) return;
      for (const e of fs.readdirSync(path.join(this.repoDir, rel), { withFileTypes: true })) {
        if (e.name.startsWith(".") || e.name === "node_modules") continue;
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(child);
        // A link is listed as a file: reading it checks where it leads.
        else if (/\.ya?ml$/.test(e.name) && !(e.isSymbolicLink() && this.linksToDir(child))) out.push(child);
      }
    };
    walk("");
    return out.sort();
  }
}
