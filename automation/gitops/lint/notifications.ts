/**
 * Checks of the notification-controller objects of one platform's tree, as Flux would apply them
 * (variables substituted): Alert → Provider, Provider and Receiver → Secret (in the tree, made by an
 * ExternalSecret, or created by the program: an early secret of the stack, or the push webhook's
 * token with flux.receiver), git commit-status Providers with a token, an https repository address
 * that is the platform's own fleet repository, and a commitStatusExpr that only reads event
 * metadata every Alert of the Provider sets.
 */
import { exists } from "./checks";
import { receiverFindings } from "./receiver";
import { externalSecretTargets, secretProvided, type ProgramSecrets } from "./secretRefs";
import type { Finding, ManifestDoc } from "../shared/manifests";
import { repoLocation, sameRepository } from "../shared/repoUrl";
import type { BuiltObject, PlatformTree } from "../shared/tree";

/** Provider types that post Git commit statuses (and the only ones the API accepts commitStatusExpr for). */
export const COMMIT_STATUS_TYPES = [
  "github",
  "gitlab",
  "gitea",
  "bitbucket",
  "bitbucketserver",
  "azuredevops",
];

/** Provider types of notification.toolkit.fluxcd.io/v1beta3 (the schema reports any other). */
const PROVIDER_TYPES = [
  ...COMMIT_STATUS_TYPES,
  ...["slack", "discord", "msteams", "rocket", "generic", "generic-hmac", "giteapullrequestcomment"],
  ...["googlechat", "googlepubsub", "webex", "sentry", "azureeventhub", "telegram", "lark", "matrix"],
  ...["opsgenie", "alertmanager", "grafana", "githubdispatch", "githubpullrequestcomment"],
  ...["gitlabmergerequestcomment", "pagerduty", "datadog", "nats", "zulip", "otel"],
];

/** Provider types whose address is not a URL (a project, a hub, a subject). */
const NON_URL_TYPES = ["googlepubsub", "azureeventhub", "nats"];

/** What the platform gives its notifications besides the tree. */
export interface NotificationContext extends ProgramSecrets {
  /** The URL of the repository the platform's root pulls from (Git only). */
  sourceUrl?: string;
  /** The kind of the root source; commit statuses of an OCI root go to its origin. */
  rootSourceKind?: "GitRepository" | "OCIRepository";
  /** OCI roots: the Git repository the artifact is published from (flux.source.origin). */
  sourceOrigin?: string;
  /** The stack file the platform's settings come from; absent when they are assumed (no stack). */
  rootRef?: { file: string };
}

interface ProviderSpec {
  type?: unknown;
  address?: unknown;
  secretRef?: { name?: unknown };
  commitStatusExpr?: unknown;
}
interface AlertSpec {
  providerRef?: { name?: unknown };
  eventSources?: { kind?: unknown; name?: unknown; namespace?: unknown; matchLabels?: unknown }[];
  eventMetadata?: Record<string, unknown>;
}

const unresolved = (v: unknown): boolean => typeof v === "string" && v.includes("${");

function finding(tree: PlatformTree, doc: ManifestDoc, path: (string | number)[], message: string): Finding {
  return {
    file: doc.file,
    line: doc.lineOf(path),
    rule: "notification",
    message,
    platform: tree.context.platform,
  };
}

function providerChecks(
  tree: PlatformTree,
  p: BuiltObject,
  ctx: NotificationContext,
  made: Set<string>,
  out: Finding[],
) {
  const spec = (p.obj.spec ?? {}) as ProviderSpec;
  const id = `Provider ${p.namespace}/${String(p.obj.metadata.name)}`;
  const type = typeof spec.type === "string" ? spec.type : "";
  const gitStatus = COMMIT_STATUS_TYPES.includes(type);
  const secret = spec.secretRef?.name;
  if (typeof secret === "string" && !unresolved(secret)) {
    const k = `${p.namespace}/${secret}`;
    if (!secretProvided(tree, ctx, made, p.namespace, secret))
      out.push(
        finding(
          tree,
          p.doc,
          ["spec", "secretRef"],
          `${id}: secretRef Secret ${k} is not in the tree of ${tree.context.platform}, no ExternalSecret makes it and it is not an early secret of the stack; add it to flux.extraSecrets (namespace ${p.namespace}, name ${secret}), or apply an ExternalSecret or a SOPS-encrypted Secret of that name`,
        ),
      );
  } else if (secret === undefined && gitStatus)
    out.push(
      finding(
        tree,
        p.doc,
        ["spec"],
        `${id}: a ${type} Provider posts commit statuses with a token, and this one has no secretRef: add secretRef: {name: <Secret with key token>}`,
      ),
    );
  if (secret === undefined && spec.address === undefined && !NON_URL_TYPES.includes(type) && type)
    out.push(
      finding(
        tree,
        p.doc,
        ["spec"],
        `${id}: no address and no secretRef (whose key address could hold it): notification-controller has nowhere to post`,
      ),
    );
  if (typeof spec.address === "string" && /^[a-z][\w+.-]*:\/\/[^/@\s]+@/i.test(spec.address))
    out.push(
      finding(
        tree,
        p.doc,
        ["spec", "address"],
        `${id}: the address carries credentials (user or token before @), in plain text in Git and in the Provider: put the whole URL in the Secret secretRef names, key address, and leave spec.address out`,
      ),
    );
  else if (typeof spec.address === "string" && !unresolved(spec.address) && !NON_URL_TYPES.includes(type)) {
    if (!/^https:\/\/[^/\s]+/.test(spec.address))
      out.push(
        finding(
          tree,
          p.doc,
          ["spec", "address"],
          `${id}: address ${spec.address} is not an https URL; notification-controller would send ${gitStatus ? "the token" : "the events"} ${/^http:/.test(spec.address) ? "in clear text" : "nowhere"}: use https://…`,
        ),
      );
    else if (gitStatus && !repoLocation(spec.address))
      out.push(
        finding(
          tree,
          p.doc,
          ["spec", "address"],
          `${id}: address ${spec.address} is not a repository URL: a ${type} Provider needs https://<host>/<owner>/<repository>`,
        ),
      );
    else if (gitStatus && ctx.rootSourceKind === "OCIRepository" && !ctx.sourceOrigin) {
      // Without a stack file the origin is unknown, not missing.
      if (ctx.rootRef)
        out.push(
          finding(
            tree,
            p.doc,
            ["spec", "address"],
            `${id}: posts commit statuses, but platform ${tree.context.platform} pulls an OCI artifact and its stack does not say which Git repository the artifact is published from: set flux.source.origin in ${ctx.rootRef.file} to ${spec.address} (notification-controller posts to the commit the artifact's org.opencontainers.image.revision names, which npm run gitops:publish records)`,
          ),
        );
    } else if (gitStatus && ctx.rootSourceKind === "OCIRepository" && ctx.sourceOrigin) {
      if (!sameRepository(spec.address, ctx.sourceOrigin))
        out.push(
          finding(
            tree,
            p.doc,
            ["spec", "address"],
            `${id}: posts commit statuses to ${spec.address}, but the artifact platform ${tree.context.platform} pulls is published from ${ctx.sourceOrigin} (flux.source.origin): the statuses would go to commits of another repository; point the address at ${repoLocation(ctx.sourceOrigin)?.web ?? ctx.sourceOrigin} (FLEET_STATUS_ADDRESS)`,
          ),
        );
    } else if (
      gitStatus &&
      ctx.sourceUrl &&
      repoLocation(ctx.sourceUrl) &&
      !sameRepository(spec.address, ctx.sourceUrl)
    )
      out.push(
        finding(
          tree,
          p.doc,
          ["spec", "address"],
          `${id}: posts commit statuses to ${spec.address}, but platform ${tree.context.platform} pulls from ${ctx.sourceUrl}: the statuses would go to commits of another repository; point the address at ${repoLocation(ctx.sourceUrl)?.web} (FLEET_STATUS_ADDRESS)`,
        ),
      );
  }
  if (spec.commitStatusExpr !== undefined && PROVIDER_TYPES.includes(type) && !gitStatus)
    out.push(
      finding(
        tree,
        p.doc,
        ["spec", "commitStatusExpr"],
        `${id}: commitStatusExpr is only accepted for the commit-status types (${COMMIT_STATUS_TYPES.join(", ")}); the API server rejects a ${type} Provider with it: remove it or change the type`,
      ),
    );
}

/** The `event.metadata.<key>` keys a commitStatusExpr reads. */
export function metadataKeysOf(expr: string): string[] {
  const keys = [
    ...expr.matchAll(/event\.metadata\.([A-Za-z_]\w*)|event\.metadata\[\s*['"]([^'"]+)['"]\s*\]/g),
  ].map((m) => m[1] ?? m[2]);
  return [...new Set(keys)];
}

function alertChecks(
  tree: PlatformTree,
  a: BuiltObject,
  providers: Map<string, BuiltObject>,
  out: Finding[],
) {
  const spec = (a.obj.spec ?? {}) as AlertSpec;
  const id = `Alert ${a.namespace}/${String(a.obj.metadata.name)}`;
  const ref = spec.providerRef?.name;
  if (typeof ref === "string" && !unresolved(ref)) {
    const provider = providers.get(`${a.namespace}/${ref}`);
    if (!provider)
      out.push(
        finding(
          tree,
          a.doc,
          ["spec", "providerRef"],
          `${id}: providerRef Provider ${a.namespace}/${ref} does not exist in the tree of ${tree.context.platform} (an Alert's Provider is in its own namespace)`,
        ),
      );
    else {
      const expr = (provider.obj.spec as ProviderSpec | undefined)?.commitStatusExpr;
      const missing =
        typeof expr === "string"
          ? metadataKeysOf(expr).filter((k) => spec.eventMetadata?.[k] === undefined)
          : [];
      if (missing.length)
        out.push(
          finding(
            tree,
            a.doc,
            ["spec", "providerRef"],
            `${id}: its Provider's commitStatusExpr reads event.metadata.${missing.join(", event.metadata.")}, which this Alert does not set: the expression fails and no status is posted; add ${missing.map((k) => `eventMetadata.${k}`).join(", ")}`,
          ),
        );
    }
  }
  (spec.eventSources ?? []).forEach((s, i) => {
    if (typeof s.kind !== "string" || typeof s.name !== "string" || s.name === "*" || s.matchLabels) return;
    if (unresolved(s.name)) return;
    const ns = typeof s.namespace === "string" ? s.namespace : a.namespace;
    if (!exists(tree, s.kind, ns, s.name))
      out.push(
        finding(
          tree,
          a.doc,
          ["spec", "eventSources", i],
          `${id}: eventSources ${s.kind} ${ns}/${s.name} is not in the tree of ${tree.context.platform}: the Alert would never fire for it`,
        ),
      );
  });
}

/** The notification findings of one platform's tree. */
export function notificationFindings(tree: PlatformTree, ctx: NotificationContext = {}): Finding[] {
  const out: Finding[] = [];
  const all = [...tree.index.values()].flat();
  const ofKind = (kind: string) =>
    all.filter((o) => o.obj.kind === kind && o.obj.apiVersion.startsWith("notification.toolkit.fluxcd.io/"));
  const providers = new Map(
    ofKind("Provider").map((p) => [`${p.namespace}/${String(p.obj.metadata.name)}`, p]),
  );
  const made = externalSecretTargets(tree);
  for (const p of providers.values()) providerChecks(tree, p, ctx, made, out);
  for (const a of ofKind("Alert")) alertChecks(tree, a, providers, out);
  out.push(...receiverFindings(tree, ctx, made));
  return out;
}
