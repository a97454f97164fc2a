/**
 * The end-to-end harness's waits report what the API server answered: a 403 with its reason and
 * message, not "not found"; only a real 404 says not found. Against a local HTTPS server that answers
 * like kube-apiserver (Status bodies), with the fleet tests' TLS fixtures.
 */
import * as https from "node:https";
import * as path from "node:path";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { Kube, serverSays } from "../../e2e/harness/kube";
import { waitFor } from "../../e2e/harness/util";

const TLS = path.join(__dirname, "../../fixtures/fleet/tls");
const GIT = "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories";
const FORBIDDEN = {
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  message:
    'gitrepositories.source.toolkit.fluxcd.io "locked" is forbidden: User "system:serviceaccount:flux-system:source-controller" cannot get resource "gitrepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"',
  reason: "Forbidden",
  details: { name: "locked", group: "source.toolkit.fluxcd.io", kind: "gitrepositories" },
  code: 403,
};

const INITIALIZING = "/apis/source.toolkit.fluxcd.io/v1/externalartifacts";
const NO_RETRY_AFTER = "/apis/source.toolkit.fluxcd.io/v1/ocirepositories";
const TOO_MANY = {
  kind: "Status",
  status: "Failure",
  message: "storage is (re)initializing",
  reason: "TooManyRequests",
  code: 429,
};

describe("harness waits show the API server's answer", () => {
  let server: https.Server;
  let kube: Kube;
  const answers: Record<string, { code: number; body: unknown }> = {
    [`${GIT}/locked`]: { code: 403, body: FORBIDDEN },
    [`${GIT}/gone`]: {
      code: 404,
      body: {
        kind: "Status",
        status: "Failure",
        message: 'gitrepositories "gone" not found',
        reason: "NotFound",
        code: 404,
      },
    },
    [`${GIT}/broken`]: { code: 500, body: "etcdserver: request timed out" },
    [INITIALIZING]: {
      code: 200,
      body: { kind: "ExternalArtifactList", items: [{ metadata: { name: "x" } }] },
    },
    [NO_RETRY_AFTER]: { code: 429, body: TOO_MANY },
  };
  const initializing: number[] = [];

  beforeAll(async () => {
    server = https.createServer(
      {
        key: readFileSync(path.join(TLS, "server.key")),
        cert: readFileSync(path.join(TLS, "server.crt")),
      },
      (req, res) => {
        const url = req.url ?? "";
        // The list answers 429 "storage is (re)initializing" with Retry-After twice, then the list.
        if (url === INITIALIZING && initializing.length < 2) {
          initializing.push(Date.now());
          res.writeHead(429, { "content-type": "application/json", "retry-after": "0" });
          res.end(JSON.stringify(TOO_MANY));
          return;
        }
        const a = answers[url] ?? { code: 404, body: {} };
        res.writeHead(a.code, {
          "content-type": typeof a.body === "string" ? "text/plain" : "application/json",
        });
        res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    kube = new Kube(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      ca: path.join(TLS, "ca.crt"),
      cert: path.join(TLS, "client.crt"),
      key: path.join(TLS, "client.key"),
    });
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        kube.close();
        server.close(() => r());
        server.closeAllConnections();
      }),
  );

  const wait = (name: string) =>
    kube.waitCondition("source.toolkit.fluxcd.io/v1", "GitRepository", name, "flux-system", {
      timeoutMs: 300,
    });

  it("a 403 times out with the server's reason and message", async () => {
    await expect(wait("locked")).rejects.toThrow(
      `timed out after 0.3s waiting for GitRepository flux-system/locked Ready: GET GitRepository flux-system/locked: HTTP 403 Forbidden: ${FORBIDDEN.message}`,
    );
  });

  it("a 429 with Retry-After is sent again, as client-go does; without it, it fails at once", async () => {
    const items = await kube.list("source.toolkit.fluxcd.io/v1", "ExternalArtifact");
    expect(items.map((o) => o.metadata.name)).toEqual(["x"]);
    expect(initializing.length).toBe(2);
    await expect(kube.list("source.toolkit.fluxcd.io/v1", "OCIRepository")).rejects.toThrow(
      "HTTP 429 TooManyRequests: storage is (re)initializing",
    );
  });

  it("a real 404 says not found", async () => {
    await expect(wait("gone")).rejects.toThrow(
      "timed out after 0.3s waiting for GitRepository flux-system/gone Ready: not found (the API server answered 404)",
    );
  });

  it("a non-Status body is shown as it came, with the status code", async () => {
    await expect(wait("broken")).rejects.toThrow(
      "timed out after 0.3s waiting for GitRepository flux-system/broken Ready: GET GitRepository flux-system/broken: HTTP 500: etcdserver: request timed out",
    );
  });

  it("waitGone reports a refused read instead of 'still there'", async () => {
    await expect(
      kube.waitGone("source.toolkit.fluxcd.io/v1", "GitRepository", "locked", "flux-system", 300),
    ).rejects.toThrow(
      `timed out after 0.3s waiting for GitRepository flux-system/locked to be gone: GET GitRepository flux-system/locked: HTTP 403 Forbidden: ${FORBIDDEN.message}`,
    );
  });

  it("waitFor keeps lastReason when the last look succeeded", async () => {
    let n = 0;
    await expect(
      waitFor(
        "something",
        () => (n++ === 0 ? Promise.reject(new Error("HTTP 403 Forbidden: no")) : Promise.resolve(undefined)),
        { timeoutMs: 100, intervalMs: 20, lastReason: () => "still Progressing" },
      ),
    ).rejects.toThrow("timed out after 0.1s waiting for something: still Progressing");
  });

  it("serverSays reads a Status body, or shows the text", () => {
    expect(serverSays({ status: 403, body: FORBIDDEN, text: "" })).toBe(
      `HTTP 403 Forbidden: ${FORBIDDEN.message}`,
    );
    expect(
      serverSays({ status: 502, body: "<html>bad gateway</html>", text: "<html>bad gateway</html>" }),
    ).toBe("HTTP 502: <html>bad gateway</html>");
    expect(serverSays({ status: 401, body: undefined, text: "" })).toBe("HTTP 401");
  });
});
