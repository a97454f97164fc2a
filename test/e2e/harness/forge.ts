// A fake Git forge on loopback, over TLS signed by the harness CA, for notification-controller's
// Providers. It answers what the `github` provider calls for a commit status, on the GitHub
// Enterprise API a Provider address on any host but github.com gets (`https://<host>/api/v3/`):
//   GET  /api/v3/repos/{owner}/{repo}/commits/{sha}/statuses  the statuses already set (newest first;
//        the provider skips a POST when the newest with its context has the same state and description)
//   POST /api/v3/repos/{owner}/{repo}/statuses/{sha}          a new status, recorded with its token
// and a webhook endpoint for the `generic` provider, recording the event JSON Flux posts. Anything
// else answers 404 (GitHub's body) and is recorded in `unexpected()`, as are requests without a
// token (401), for a repository the test did not name (404) and invalid statuses (422), so a test
// can fail on them.
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { serverCertificate, type Pki } from "./pki";

/** A commit status as the forge received it. */
export interface CommitStatus {
  /** When it arrived (ms since the epoch). */
  at: number;
  owner: string;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string;
  targetUrl?: string;
  /** The token of the request's `Authorization` header (`Bearer <token>` or `token <token>`). */
  token: string;
}

/** A Flux event as the generic provider posted it. */
export interface WebhookEvent {
  at: number;
  /** The `gotk-component` header: the controller that reported it. */
  component?: string;
  event: {
    involvedObject: { kind: string; name: string; namespace: string; apiVersion?: string; uid?: string };
    severity: string;
    timestamp: string;
    message: string;
    reason: string;
    metadata?: Record<string, string>;
    reportingController: string;
    reportingInstance?: string;
  };
}

export interface ForgeRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  /** Why the forge refused it (404, 401, 422), for the failure message. */
  why?: string;
}

export interface Forge {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** A repository's address (`https://127.0.0.1:PORT/<owner>/<repo>`, a Provider's `address`); registers it. */
  repoUrl(owner: string, repo: string): string;
  /** The generic webhook endpoint (`https://127.0.0.1:PORT/hooks/flux`). */
  webhookUrl: string;
  /** Every commit status received, oldest first. */
  statuses(): CommitStatus[];
  /** Every webhook event received, oldest first. */
  events(): WebhookEvent[];
  /** Every request, oldest first. */
  requests(): ForgeRequest[];
  /** The requests the forge refused: unknown routes or repositories, no token, invalid statuses. */
  unexpected(): ForgeRequest[];
  /** The first status (received already or later) that `pred` accepts. */
  waitForStatus(pred: (s: CommitStatus) => boolean, timeoutMs?: number): Promise<CommitStatus>;
  /** The first webhook event (received already or later) that `pred` accepts. */
  waitForEvent(pred: (e: WebhookEvent) => boolean, timeoutMs?: number): Promise<WebhookEvent>;
  stop(): Promise<void>;
}

/** GitHub's commit status states. */
const STATES = ["error", "failure", "pending", "success"];
const LIST = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/;
const CREATE = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/;
const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_BODY = 1 << 20;

/**
 * Starts the forge on 127.0.0.1 (a free port) with a serving certificate: `tls` as given, or one
 * made for it and signed by the harness CA (`pki`), which the controllers trust only through the
 * stack's flux.install.trustedCAs (harness/stack.ts harnessTrustedCAs).
 */
export async function startForge(
  opts: { pki: Pki } | { tls: { cert: string; key: string } },
): Promise<Forge> {
  const tls = "tls" in opts ? opts.tls : await serverCertificate(opts.pki, "forge");
  const repos = new Set<string>();
  const statuses: CommitStatus[] = [];
  const events: WebhookEvent[] = [];
  const requests: ForgeRequest[] = [];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "https://forge.invalid");
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? "GET";
    const answer = (status: number, body: unknown, why?: string) => {
      requests.push({ at: Date.now(), method, path, status, why });
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
      notify();
    };
    const notFound = (why: string) =>
      answer(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }, why);
    const body = await readBody(req);
    if (body === undefined) return answer(413, { message: "Payload too large" }, "a body over 1 MiB");

    if (path === "/hooks/flux") {
      if (method !== "POST") return notFound(`${method} on the webhook`);
      let event: WebhookEvent["event"];
      try {
        event = JSON.parse(body) as WebhookEvent["event"];
      } catch {
        return answer(400, { message: "Problems parsing JSON" }, "a webhook body that is not JSON");
      }
      const component = req.headers["gotk-component"];
      events.push({
        at: Date.now(),
        component: typeof component === "string" ? component : undefined,
        event,
      });
      return answer(200, {});
    }

    const list = method === "GET" ? LIST.exec(path) : null;
    const create = method === "POST" ? CREATE.exec(path) : null;
    const m = list ?? create;
    if (!m) return notFound(`no route ${method} ${path}`);
    const [, owner, repo, sha] = m;
    const token = tokenOf(req.headers.authorization);
    if (!token)
      return answer(
        401,
        { message: "Requires authentication", documentation_url: "https://docs.github.com/rest" },
        "no token in the Authorization header",
      );
    if (!repos.has(`${owner}/${repo}`)) return notFound(`repository ${owner}/${repo} is not on this forge`);

    if (list) {
      const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30) || 30);
      const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
      const forCommit = statuses
        .filter((s) => s.owner === owner && s.repo === repo && s.sha === sha)
        .reverse()
        .map(statusJson);
      return answer(200, forCommit.slice((page - 1) * perPage, page * perPage));
    }

    if (!SHA.test(sha))
      return answer(422, { message: `No commit found for SHA: ${sha}` }, `${sha} is not a commit sha`);
    let input: { state?: unknown; context?: unknown; description?: unknown; target_url?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return answer(400, { message: "Problems parsing JSON" }, "a status body that is not JSON");
    }
    if (typeof input.state !== "string" || !STATES.includes(input.state))
      return answer(
        422,
        { message: "Validation Failed", errors: [{ resource: "Status", field: "state", code: "custom" }] },
        `state ${JSON.stringify(input.state)} is not one of ${STATES.join(", ")}`,
      );
    const status: CommitStatus = {
      at: Date.now(),
      owner,
      repo,
      sha,
      state: input.state,
      context: typeof input.context === "string" && input.context ? input.context : "default",
      description: typeof input.description === "string" ? input.description : "",
      targetUrl: typeof input.target_url === "string" ? input.target_url : undefined,
      token,
    };
    statuses.push(status);
    return answer(201, statusJson(status));
  };

  /** GitHub's representation of a status (the id is its place in the forge, `creator` left out). */
  const statusJson = (s: CommitStatus) => ({
    id: statuses.indexOf(s) + 1,
    url: `${base}/api/v3/repos/${s.owner}/${s.repo}/statuses/${s.sha}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl ?? null,
    context: s.context,
    created_at: new Date(s.at).toISOString(),
    updated_at: new Date(s.at).toISOString(),
  });

  const server = https.createServer(
    { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        requests.push({
          at: Date.now(),
          method: req.method ?? "",
          path: req.url ?? "",
          status: 500,
          why: String(e),
        });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function waitForRecord<T>(
    what: string,
    records: () => T[],
    pred: (r: T) => boolean,
    timeoutMs: number,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const hit = records().find(pred);
        if (hit === undefined) return false;
        done();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs / 1000}s waiting for ${what}; the forge received ` +
              `${JSON.stringify(records().map(redactToken))} and refused ${JSON.stringify(requests.filter((r) => r.status >= 400))}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  return {
    url: base,
    webhookUrl: `${base}/hooks/flux`,
    repoUrl(owner, repo) {
      repos.add(`${owner}/${repo}`);
      return `${base}/${owner}/${repo}`;
    },
    statuses: () => [...statuses],
    events: () => [...events],
    requests: () => [...requests],
    unexpected: () => requests.filter((r) => r.status >= 400),
    waitForStatus: (pred, timeoutMs = 60_000) =>
      waitForRecord("a commit status", () => statuses, pred, timeoutMs),
    waitForEvent: (pred, timeoutMs = 60_000) =>
      waitForRecord("a webhook event", () => events, pred, timeoutMs),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The token of `Bearer <token>` or `token <token>` (both are what GitHub accepts). */
function tokenOf(authorization: string | undefined): string | undefined {
  const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(authorization ?? "");
  return m?.[1];
}

/** A record as printed in a failure message: a status's token is a credential, so it is not shown. */
function redactToken<T>(r: T): T {
  return r && typeof r === "object" && "token" in r ? { ...r, token: "<redacted>" } : r;
}

/** The request body, or undefined when it is over MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
