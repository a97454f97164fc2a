/**
 * The stored-version migration's real pieces: the HTTP client (kubeClient.ts) against a local API
 * stand-in, asserting the exact requests, and the dynamic provider as Pulumi serializes it into
 * the state (its code must carry every function it calls).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { kubeMigrationClient, storedVersionsProvider } from "../../../../components/flux/migrate";

interface Seen {
  method?: string;
  url?: string;
  contentType?: string;
  userAgent?: string;
  authorization?: string;
  body: string;
}

/** A server answering each request with the next of `answers`, recording what it was asked. */
async function apiServer(answers: { status: number; body: unknown }[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        contentType: req.headers["content-type"],
        userAgent: req.headers["user-agent"],
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const a = answers.shift() ?? { status: 500, body: { message: "no answer left" } };
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:" +
      port +
      "', insecure-skip-tls-verify: true}}]",
    "users: [{name: u, user: {token: t0ken}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n");
  return { seen, kubeconfig, close: () => new Promise((r) => server.close(r)) };
}

// The first load of @kubernetes/client-node through Jest's transform takes seconds on a busy machine.
jest.setTimeout(120_000);

const REF = { group: "notification.toolkit.fluxcd.io", version: "v1beta3", plural: "alerts" };
const ALERT = {
  apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
  kind: "Alert",
  metadata: { name: "on-call", namespace: "flux-system", resourceVersion: "7" },
};

describe("kubeMigrationClient", () => {
  it("lists, reads, writes back and patches the status as the API expects, with its user agent and the kubeconfig's credentials", async () => {
    const s = await apiServer([
      { status: 200, body: { items: [{ metadata: { name: "alerts.notification.toolkit.fluxcd.io" } }] } },
      { status: 200, body: { items: [ALERT] } },
      { status: 200, body: ALERT },
      { status: 404, body: { kind: "Status", reason: "NotFound", message: 'alerts "gone" not found' } },
      { status: 200, body: ALERT },
      { status: 200, body: {} },
    ]);
    try {
      const c = await kubeMigrationClient(s.kubeconfig);
      expect(await c.listCrds()).toEqual([{ metadata: { name: "alerts.notification.toolkit.fluxcd.io" } }]);
      expect(await c.list(REF)).toEqual([ALERT]);
      expect(await c.get(REF, "flux-system", "on-call")).toEqual(ALERT);
      expect(await c.get(REF, "flux-system", "gone")).toBeUndefined();
      await c.replace(REF, ALERT);
      await c.setStoredVersions("alerts.notification.toolkit.fluxcd.io", ["v1beta3"]);
    } finally {
      await s.close();
    }
    const as = (method: string, url: string, body = "", contentType?: string): Seen => ({
      method,
      url,
      contentType,
      userAgent: "platform-flux-migrate",
      authorization: "Bearer t0ken",
      body,
    });
    expect(s.seen).toEqual([
      as("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
      as("GET", "/apis/notification.toolkit.fluxcd.io/v1beta3/alerts"),
      as("GET", "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts/on-call"),
      as("GET", "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts/gone"),
      as(
        "PUT",
        "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts/on-call",
        JSON.stringify(ALERT),
        "application/json",
      ),
      as(
        "PATCH",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/alerts.notification.toolkit.fluxcd.io/status",
        '{"status":{"storedVersions":["v1beta3"]}}',
        "application/merge-patch+json",
      ),
    ]);
  });

  it("fails with the API server's status, reason and message, and the HTTP status for the retry", async () => {
    const s = await apiServer([
      { status: 409, body: { kind: "Status", reason: "Conflict", message: "the object has been modified" } },
    ]);
    try {
      const c = await kubeMigrationClient(s.kubeconfig);
      const err = await c.replace(REF, ALERT).catch((e: unknown) => e);
      expect([(err as Error).message, (err as { status?: number }).status]).toEqual([
        "PUT /apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts/on-call: HTTP 409 Conflict: the object has been modified",
        409,
      ]);
    } finally {
      await s.close();
    }
  });
});

describe("the dynamic provider, serialized as the engine stores it", () => {
  it("carries the code it calls: deserialized, it diffs, and it migrates through a real client", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => storedVersionsProvider, {
      exportName: "handler",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const requireFromString = require("require-from-string") as (code: string) => {
      handler: () => typeof storedVersionsProvider;
    };
    const provider = requireFromString(serialized.text).handler();
    const olds = { fluxVersion: "2.9.2", crds: {}, migrated: [], summary: "" };
    expect(await provider.diff!("id", olds, { kubeconfig: "", fluxVersion: "2.9.4", crds: {} })).toEqual({
      changes: true,
    });
    const s = await apiServer([{ status: 200, body: { items: [] } }]);
    try {
      expect(await provider.create!({ kubeconfig: s.kubeconfig, fluxVersion: "2.9.4", crds: {} })).toEqual({
        id: "flux-stored-versions",
        outs: {
          fluxVersion: "2.9.4",
          crds: {},
          migrated: [],
          summary: "Flux stored versions: nothing to migrate",
        },
      });
    } finally {
      await s.close();
    }
    expect(s.seen.map((r) => `${r.method} ${r.url} ${r.userAgent}`)).toEqual([
      "GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions platform-flux-migrate",
    ]);
  });
});
