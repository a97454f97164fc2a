/**
 * The e2e harness's fake forge answers notification-controller's github provider the way GitHub
 * Enterprise does (list the statuses of a commit, create one) over TLS, records each status with
 * its token and each generic webhook event, and refuses (and records) everything else. Requests
 * are made here as go-github makes them, against the fleet tests' TLS fixtures.
 */
import * as https from "node:https";
import * as path from "node:path";
import { readFileSync } from "node:fs";
import { startForge, type Forge } from "../../e2e/harness/forge";

const TLS = path.join(__dirname, "../../fixtures/fleet/tls");
const CA = readFileSync(path.join(TLS, "ca.crt"));
const SHA = "0123456789abcdef0123456789abcdef01234567";

function call(
  forge: Forge,
  method: string,
  p: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${forge.url}${p}`,
      {
        method,
        ca: CA,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on("error", reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

describe("fake forge (GitHub Enterprise commit statuses, generic webhook)", () => {
  let forge: Forge;
  let repoUrl: string;
  beforeEach(async () => {
    forge = await startForge({
      tls: { cert: path.join(TLS, "server.crt"), key: path.join(TLS, "server.key") },
    });
    repoUrl = forge.repoUrl("acme-telco", "platform-fleet");
  });
  afterEach(() => forge.stop());
  const api = "/api/v3/repos/acme-telco/platform-fleet";

  it("names repositories by https URL on its own host", () => {
    expect(repoUrl).toBe(`${forge.url}/acme-telco/platform-fleet`);
    expect(forge.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(forge.webhookUrl).toBe(`${forge.url}/hooks/flux`);
  });

  it("records a created status with its token and lists it back, newest first", async () => {
    expect(await call(forge, "GET", `${api}/commits/${SHA}/statuses?per_page=50`, { token: "t0k" })).toEqual({
      status: 200,
      body: [],
    });
    const first = { state: "success", context: "flux/smoke/smoke", description: "reconciliation succeeded" };
    const created = await call(forge, "POST", `${api}/statuses/${SHA}`, { token: "t0k", body: first });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 1, ...first, target_url: null });
    await call(forge, "POST", `${api}/statuses/${SHA}`, {
      token: "t0k",
      body: { state: "failure", context: "flux/smoke/smoke", description: "artifact failed" },
    });
    const listed = await call(forge, "GET", `${api}/commits/${SHA}/statuses?per_page=50`, { token: "t0k" });
    expect((listed.body as { state: string; id: number }[]).map((s) => [s.id, s.state])).toEqual([
      [2, "failure"],
      [1, "success"],
    ]);
    expect(forge.statuses().map(({ at: _at, ...s }) => s)).toEqual([
      { owner: "acme-telco", repo: "platform-fleet", sha: SHA, ...first, targetUrl: undefined, token: "t0k" },
      {
        owner: "acme-telco",
        repo: "platform-fleet",
        sha: SHA,
        state: "failure",
        context: "flux/smoke/smoke",
        description: "artifact failed",
        targetUrl: undefined,
        token: "t0k",
      },
    ]);
    expect(forge.unexpected()).toEqual([]);
    expect(forge.requests().map((r) => [r.method, r.status])).toEqual([
      ["GET", 200],
      ["POST", 201],
      ["POST", 201],
      ["GET", 200],
    ]);
  });

  it("refuses and records what GitHub would refuse, and unknown routes", async () => {
    const cases: [string, string, Parameters<typeof call>[3], number][] = [
      ["POST", `${api}/statuses/${SHA}`, { body: { state: "success" } }, 401],
      [
        "POST",
        `/api/v3/repos/acme-telco/other/statuses/${SHA}`,
        { token: "t", body: { state: "success" } },
        404,
      ],
      ["POST", `${api}/statuses/not-a-sha`, { token: "t", body: { state: "success" } }, 422],
      ["POST", `${api}/statuses/${SHA}`, { token: "t", body: { state: "green" } }, 422],
      ["GET", "/api/v3/user", { token: "t" }, 404],
      ["GET", "/hooks/flux", {}, 404],
    ];
    for (const [method, p, opts, status] of cases)
      expect((await call(forge, method, p, opts)).status).toBe(status);
    expect(forge.statuses()).toEqual([]);
    expect(forge.unexpected().map((r) => [r.method, r.path, r.status, r.why])).toEqual([
      ["POST", `${api}/statuses/${SHA}`, 401, "no token in the Authorization header"],
      [
        "POST",
        `/api/v3/repos/acme-telco/other/statuses/${SHA}`,
        404,
        "repository acme-telco/other is not on this forge",
      ],
      ["POST", `${api}/statuses/not-a-sha`, 422, "not-a-sha is not a commit sha"],
      ["POST", `${api}/statuses/${SHA}`, 422, 'state "green" is not one of error, failure, pending, success'],
      ["GET", "/api/v3/user", 404, "no route GET /api/v3/user"],
      ["GET", "/hooks/flux", 404, "GET on the webhook"],
    ]);
  });

  it("records the generic provider's event JSON and its reporting controller", async () => {
    const event = {
      involvedObject: { kind: "Kustomization", name: "smoke", namespace: "flux-system" },
      severity: "error",
      timestamp: "2026-11-29T05:00:00Z",
      message: "kustomization path not found",
      reason: "ArtifactFailed",
      metadata: { revision: `v0.1.0@sha1:${SHA}` },
      reportingController: "kustomize-controller",
    };
    const waiting = forge.waitForEvent((e) => e.event.severity === "error", 5000);
    expect(
      (
        await call(forge, "POST", "/hooks/flux", {
          body: event,
          headers: { "gotk-component": "kustomize-controller" },
        })
      ).status,
    ).toBe(200);
    const got = await waiting;
    expect(got).toEqual({ at: expect.any(Number), component: "kustomize-controller", event });
    expect(forge.events()).toEqual([got]);
  });

  it("waits for a status received before or after the call, and says what it got on a timeout", async () => {
    const body = { state: "success", context: "c", description: "d" };
    await call(forge, "POST", `${api}/statuses/${SHA}`, { token: "secret-token", body });
    await expect(forge.waitForStatus((s) => s.state === "success", 1000)).resolves.toMatchObject({
      sha: SHA,
    });
    const later = forge.waitForStatus((s) => s.state === "failure", 5000);
    await call(forge, "POST", `${api}/statuses/${SHA}`, {
      token: "secret-token",
      body: { ...body, state: "failure" },
    });
    await expect(later).resolves.toMatchObject({ state: "failure", token: "secret-token" });

    const err = await forge.waitForStatus((s) => s.state === "error", 200).catch((e: Error) => e.message);
    expect(err).toMatch(/^timed out after 0.2s waiting for a commit status; the forge received \[/);
    expect(err).toContain('"state":"failure"');
    expect(err).toContain('"token":"<redacted>"');
    expect(err).not.toContain("secret-token");
  });
});
