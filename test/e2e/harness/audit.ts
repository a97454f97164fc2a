// Who did what, from the API server's audit log: each Flux controller's requests (known by the
// user agent its binary sends, `<binary>/<version> …`, not by the credential) must all have
// authenticated as `system:serviceaccount:<namespace>:<binary>`, and no request of anyone may have
// been refused with 403 Forbidden (a missing RBAC rule or binding).
import * as fs from "node:fs";

export interface AuditEvent {
  verb: string;
  requestURI: string;
  userAgent?: string;
  user: { username: string };
  impersonatedUser?: { username: string };
  responseStatus?: { code?: number; details?: { causes?: { reason?: string }[] } };
  annotations?: Record<string, string>;
  stage?: string;
}

/** The events of a JSON-lines audit log (one event per line; the last line may be partial). */
export function readAudit(file: string): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as AuditEvent);
    } catch {
      /* a line being written */
    }
  }
  return out;
}

export interface IdentityReport {
  /** Per controller: requests seen, and how many authenticated as each user. */
  controllers: Record<string, { requests: number; users: Record<string, number> }>;
  /** Problems: a controller with no request, one authenticated as another user, every 403. */
  problems: string[];
  /** One line per controller, then the 403 count. */
  summary: string[];
}

const describe = (e: AuditEvent) =>
  `${e.verb} ${e.requestURI} by ${e.user.username}${e.impersonatedUser ? ` as ${e.impersonatedUser.username}` : ""} (${e.userAgent ?? "no user agent"})`;

/**
 * A 403 that is a refusal of who asked: every one but the API server's refusal to create in a
 * namespace being deleted (authorization allowed it; the NamespaceLifecycle admission refused it),
 * which kube-controller-manager's service-account controller meets by design when a namespace
 * goes while it re-creates `default` there.
 */
export function isForbidden(e: AuditEvent): boolean {
  if (e.responseStatus?.code !== 403) return false;
  const terminating =
    e.annotations?.["authorization.k8s.io/decision"] === "allow" &&
    (e.responseStatus.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating");
  return !terminating;
}

/** Checks the identities of `controllers` (binary names) in `events`; see IdentityReport. */
export function checkIdentities(
  events: AuditEvent[],
  controllers: string[],
  namespace = "flux-system",
): IdentityReport {
  const report: IdentityReport = { controllers: {}, problems: [], summary: [] };
  for (const c of controllers) {
    const want = `system:serviceaccount:${namespace}:${c}`;
    const mine = events.filter((e) => e.userAgent?.startsWith(`${c}/`));
    const users: Record<string, number> = {};
    for (const e of mine) users[e.user.username] = (users[e.user.username] ?? 0) + 1;
    report.controllers[c] = { requests: mine.length, users };
    if (!mine.length) report.problems.push(`${c}: no request in the audit log (user agent ${c}/…)`);
    const wrong = mine.filter((e) => e.user.username !== want);
    if (wrong.length)
      report.problems.push(
        `${c}: ${wrong.length} requests not as ${want}, e.g. ${wrong.slice(0, 3).map(describe).join("; ")}`,
      );
    report.summary.push(
      `${c}: ${mine.length} requests, ${Object.entries(users)
        .map(([u, n]) => `${n} as ${u}`)
        .join(", ")}`,
    );
  }
  const forbidden = events.filter(isForbidden);
  for (const e of forbidden.slice(0, 10)) report.problems.push(`403 Forbidden: ${describe(e)}`);
  if (forbidden.length > 10) report.problems.push(`… ${forbidden.length - 10} more 403s`);
  report.summary.push(`403 Forbidden responses: ${forbidden.length} (of ${events.length} requests)`);
  return report;
}

/**
 * Follows the audit log and reports every 403 Forbidden as an incident of the supervisor, so the
 * step in which a request was refused fails at once (not only at the next identity check). For
 * scripts in which no request may be refused; returns a stop function.
 */
export function watchForbidden(
  file: string,
  sup: { reportIncident(name: string, message: string): void },
  intervalMs = 1000,
): () => void {
  let offset = 0;
  let partial = "";
  const timer = setInterval(() => {
    let chunk: Buffer;
    try {
      const fd = fs.openSync(file, "r");
      const size = fs.fstatSync(fd).size;
      chunk = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, chunk, 0, chunk.length, offset);
      fs.closeSync(fd);
      offset = size;
    } catch {
      return; // not written yet
    }
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes('"code":403')) continue;
      const e = JSON.parse(line) as AuditEvent;
      if (isForbidden(e)) sup.reportIncident("kube-apiserver audit", `403 Forbidden: ${describe(e)}`);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
