import * as https from "node:https";
import * as net from "node:net";
import { readFileSync } from "node:fs";
import type { TLSSocket } from "node:tls";
import * as os from "node:os";
import * as path from "node:path";
import { promises as fs } from "node:fs";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import { KubeconfigError, loadKubeconfig } from "../../../automation/fleet/kubeconfig";
import { ClusterFluxReader, fluxRootStatusFrom, KubeClient } from "../../../automation/fleet/kube";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const TLS = path.join(__dirname, "../../fixtures/fleet/tls");
const read = (f: string) => readFileSync(path.join(TLS, f), "utf8");
const signal = new AbortController().signal;

/** A kubeconfig with one context per user (one, two, three) on one cluster. */
function kubeconfig(users: Record<string, unknown>[], server: string, cluster: Record<string, unknown> = {}) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "one",
    clusters: [
      { name: "c1", cluster: { server, "certificate-authority-data": b64(read("ca.crt")), ...cluster } },
    ],
    contexts: users.map((_, i) => ({
      name: ["one", "two", "three"][i],
      context: { cluster: "c1", user: `u${i}` },
    })),
    users: users.map((user, i) => ({ name: `u${i}`, user })),
  });
}

describe("loadKubeconfig", () => {
  it("selects the current context, or the one given", async () => {
    const text = kubeconfig([{ token: "a" }, { token: "b" }], "https://10.0.0.1:6443");
    expect((await loadKubeconfig(text)).getCurrentUser()).toMatchObject({ name: "u0", token: "a" });
    const two = await loadKubeconfig(text, "two");
    expect(two.getCurrentContext()).toBe("two");
    expect(two.getCurrentUser()).toMatchObject({ name: "u1", token: "b" });
    expect(two.getCurrentCluster()).toMatchObject({ name: "c1", server: "https://10.0.0.1:6443" });
  });

  it.each<[string, string, string | undefined, string]>([
    ["not YAML", "a: [", undefined, "the kubeconfig is not valid YAML"],
    ["not a mapping", "- a", undefined, "the kubeconfig is not a YAML mapping"],
    [
      "no current context",
      stringify({ clusters: [] }),
      undefined,
      "the kubeconfig has no current-context: set platform:cluster.context in the stack file, or current-context in the kubeconfig",
    ],
    [
      "unknown context",
      kubeconfig([{}], "https://x"),
      "kind-x",
      'context "kind-x" is not in the kubeconfig (it has: one)',
    ],
    [
      "a context without its cluster",
      stringify({
        "current-context": "a",
        contexts: [{ name: "a", context: { cluster: "gone", user: "u" } }],
      }),
      undefined,
      'context "a" names cluster "gone", which the kubeconfig lacks',
    ],
    [
      "a cluster without server",
      stringify({
        "current-context": "a",
        clusters: [{ name: "c", cluster: {} }],
        contexts: [{ name: "a", context: { cluster: "c", user: "u" } }],
      }),
      undefined,
      'cluster "c" has no server URL',
    ],
    [
      "cert without key",
      kubeconfig([{ "client-certificate-data": b64("C") }], "https://x"),
      undefined,
      'user "u0" has a client certificate without its key',
    ],
    [
      "exec without command",
      kubeconfig([{ exec: { args: [] } }], "https://x"),
      undefined,
      'user "u0": exec has no command',
    ],
    [
      "an invalid entry the library refuses",
      stringify({
        "current-context": "a",
        clusters: [{ name: "c", cluster: { server: "https://x" } }],
        contexts: [{ name: "a", context: { cluster: "c", user: "u" } }],
        users: [{ user: {} }],
      }),
      undefined,
      "the kubeconfig is invalid: users[0].name is missing",
    ],
  ])("rejects %s", async (_n, text, context, message) => {
    const attempt = loadKubeconfig(text, context);
    await expect(attempt).rejects.toThrow(KubeconfigError);
    await expect(loadKubeconfig(text, context)).rejects.toThrow(message);
  });
});

describe("KubeClient and ClusterFluxReader against a local HTTPS API server", () => {
  let server: https.Server;
  let base: string;
  const seen: { url: string; auth?: string; cn?: string }[] = [];
  const objects: Record<string, unknown> = {
    "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/flux-system": {
      metadata: { generation: 1 },
      spec: { sourceRef: { kind: "GitRepository", name: "flux-system" } },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: "main@sha1:abc",
        lastAttemptedRevision: "main@sha1:abc",
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "ReconciliationSucceeded",
            lastTransitionTime: "2026-11-22T10:00:00Z",
          },
        ],
      },
    },
    "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/flux-system": {
      metadata: { name: "flux-system", namespace: "flux-system", generation: 1 },
      status: {
        observedGeneration: 1,
        lastHandledReconcileAt: "2026-11-22T10:00:01Z",
        artifact: { revision: "main@sha1:abc", lastUpdateTime: "2026-11-22T09:59:00Z" },
        conditions: [{ type: "Ready", status: "True" }],
      },
    },
  };
  // Lists in all namespaces (the fleet page's details); helmreleases is not served here (404).
  objects["/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"] = {
    items: [
      objects["/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/flux-system"],
      {
        metadata: { name: "slice-embb", namespace: "slices" },
        status: {
          conditions: [{ type: "Ready", status: "False", reason: "BuildFailed", message: "<b>x</b>" }],
        },
      },
    ],
  };
  objects["/apis/catalog.platform.io/v1alpha1/slices"] = { items: [{}, {}] };
  /** Fixed answers (status code and body) by path, for errors. */
  const answers: Record<string, { code: number; body: unknown }> = {
    "/apis/source.toolkit.fluxcd.io/v1/namespaces/tenant/gitrepositories/flux-system": {
      code: 403,
      body: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message:
          'gitrepositories.source.toolkit.fluxcd.io "flux-system" is forbidden: User "fleet-driver" cannot get resource "gitrepositories" in API group "source.toolkit.fluxcd.io" in the namespace "tenant"',
        reason: "Forbidden",
        details: { name: "flux-system", group: "source.toolkit.fluxcd.io", kind: "gitrepositories" },
        code: 403,
      },
    },
  };
  const patches: { url: string; contentType?: string; body: unknown }[] = [];
  beforeAll(async () => {
    server = https.createServer(
      {
        key: read("server.key"),
        cert: read("server.crt"),
        ca: read("ca.crt"),
        requestCert: true,
        // Token users present no certificate; a presented one must be signed by the CA.
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const cn = socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : undefined;
        seen.push({ url: req.url ?? "", auth: req.headers.authorization, cn });
        if (req.headers.authorization !== "Bearer good" && cn !== "fleet-driver") {
          res.writeHead(401, { "content-type": "application/json" });
          res.end(JSON.stringify({ kind: "Status", message: "Unauthorized", code: 401 }));
          return;
        }
        const url = req.url ?? "";
        const send = (code: number, body: unknown) => {
          res.writeHead(code, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          if (req.method === "PATCH")
            patches.push({
              url,
              contentType: req.headers["content-type"],
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
            });
          const answer = answers[url.split("?")[0]];
          if (answer) return send(answer.code, answer.body);
          const obj = objects[url.split("?")[0]];
          if (obj) return send(200, obj);
          // As kube-apiserver answers: an object of a served API is NotFound with its name in details.
          const m =
            /^\/apis\/(source|kustomize)\.toolkit\.fluxcd\.io\/v1\/namespaces\/[^/]+\/(\w+)\/([^/?]+)$/.exec(
              url.split("?")[0],
            );
          if (m)
            return send(404, {
              kind: "Status",
              apiVersion: "v1",
              status: "Failure",
              message: `${m[2]}.${m[1]}.toolkit.fluxcd.io "${m[3]}" not found`,
              reason: "NotFound",
              details: { name: m[3], group: `${m[1]}.toolkit.fluxcd.io`, kind: m[2] },
              code: 404,
            });
          send(404, {
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            message: "the server could not find the requested resource",
            reason: "NotFound",
            details: {},
            code: 404,
          });
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const GIT = { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" };

  it("reads the root Kustomization and its source with a bearer token", async () => {
    const status = await new ClusterFluxReader().read(
      { stack: "a", kubeconfig: kubeconfig([{ token: "good" }], base) },
      signal,
    );
    expect(status).toEqual({
      kustomization: {
        generation: 1,
        observedGeneration: 1,
        ready: {
          type: "Ready",
          status: "True",
          reason: "ReconciliationSucceeded",
          lastTransitionTime: "2026-11-22T10:00:00Z",
        },
        lastAppliedRevision: "main@sha1:abc",
        lastAttemptedRevision: "main@sha1:abc",
      },
      source: {
        kind: "GitRepository",
        name: "flux-system",
        namespace: "flux-system",
        generation: 1,
        observedGeneration: 1,
        ready: { type: "Ready", status: "True" },
        artifactRevision: "main@sha1:abc",
        artifactLastUpdateTime: "2026-11-22T09:59:00Z",
        lastHandledReconcileAt: "2026-11-22T10:00:01Z",
      },
    });
    expect(seen.slice(-2)).toEqual([
      {
        url: "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/flux-system",
        auth: "Bearer good",
        cn: undefined,
      },
      {
        url: "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/flux-system",
        auth: "Bearer good",
        cn: undefined,
      },
    ]);
  });

  it("lists the failing Kustomizations and HelmReleases and counts the Slices (an unserved kind: none)", async () => {
    const details = await new ClusterFluxReader().readDetails(
      { stack: "a", kubeconfig: kubeconfig([{ token: "good" }], base) },
      signal,
    );
    expect(details).toEqual({
      failing: [
        {
          kind: "Kustomization",
          namespace: "slices",
          name: "slice-embb",
          reason: "BuildFailed",
          message: "<b>x</b>",
        },
      ],
      failingTotal: 1,
      slices: 2,
    });
    expect(seen.slice(-3).map((s) => s.url.split("?")[0])).toEqual([
      "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations",
      "/apis/helm.toolkit.fluxcd.io/v2/helmreleases",
      "/apis/catalog.platform.io/v1alpha1/slices",
    ]);
  });

  it("gets its token from an exec credential plugin, with the plugin's env", async () => {
    const script = `process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1beta1",kind:"ExecCredential",status:{token:process.env.TOKEN_FROM_ENV}}))`;
    const kc = kubeconfig(
      [
        {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: process.execPath,
            args: ["-e", script],
            env: [{ name: "TOKEN_FROM_ENV", value: "good" }],
          },
        },
      ],
      base,
    );
    const client = await KubeClient.fromKubeconfig(kc);
    expect(await client.getCustomObject(GIT, "flux-system", "nothing-here", signal)).toBeUndefined();
    expect(seen.at(-1)).toEqual({
      url: "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/nothing-here",
      auth: "Bearer good",
      cn: undefined,
    });
  });

  it("says which plugin failed and what it printed", async () => {
    const kc = kubeconfig(
      [
        {
          exec: {
            command: process.execPath,
            args: ["-e", "console.error('token expired'); process.exit(3)"],
          },
        },
      ],
      base,
    );
    const client = await KubeClient.fromKubeconfig(kc);
    await expect(client.getCustomObject(GIT, "flux-system", "x", signal)).rejects.toThrow(
      `GET gitrepositories.source.toolkit.fluxcd.io flux-system/x on ${base}: token expired`,
    );
  });

  it("gives up on an exec plugin that does not answer in time", async () => {
    const kc = kubeconfig(
      [{ exec: { command: process.execPath, args: ["-e", "setTimeout(() => {}, 1500)"] } }],
      base,
    );
    const client = await KubeClient.fromKubeconfig(kc, undefined, 300);
    await expect(client.getCustomObject(GIT, "flux-system", "x", signal)).rejects.toThrow(
      `GET gitrepositories.source.toolkit.fluxcd.io flux-system/x on ${base}: no answer in 300 ms`,
    );
  });

  it("ClusterFluxReader gives each request the timeout it was made with (--read-timeout)", async () => {
    const kc = kubeconfig(
      [{ exec: { command: process.execPath, args: ["-e", "setTimeout(() => {}, 1500)"] } }],
      base,
    );
    await expect(new ClusterFluxReader(300).read({ stack: "s", kubeconfig: kc }, signal)).rejects.toThrow(
      `GET kustomizations.kustomize.toolkit.fluxcd.io flux-system/flux-system on ${base}: no answer in 300 ms`,
    );
  });

  it("reads a token file (kubectl's tokenFile)", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-kube-"));
    await fs.writeFile(path.join(dir, "token"), "good");
    const client = await KubeClient.fromKubeconfig(
      kubeconfig([{ tokenFile: path.join(dir, "token") }], base),
    );
    expect(await client.getCustomObject(GIT, "flux-system", "nothing-here", signal)).toBeUndefined();
    expect(seen.at(-1)?.auth).toBe("Bearer good");
    await fs.rm(dir, { recursive: true });
  });

  it("authenticates with a client certificate, CA read from a file", async () => {
    const client = await KubeClient.fromKubeconfig(
      kubeconfig(
        [
          {
            "client-certificate-data": b64(read("client.crt")),
            "client-key-data": b64(read("client.key")),
          },
        ],
        base,
        { "certificate-authority-data": undefined, "certificate-authority": path.join(TLS, "ca.crt") },
      ),
    );
    expect(await client.getCustomObject(GIT, "flux-system", "flux-system", signal)).toEqual(
      objects["/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/flux-system"],
    );
    expect(seen.at(-1)).toMatchObject({ auth: undefined, cn: "fleet-driver" });
  });

  it("says what the server answered when access is refused", async () => {
    const client = await KubeClient.fromKubeconfig(kubeconfig([{ token: "bad" }], base));
    await expect(client.getCustomObject(GIT, "flux-system", "flux-system", signal)).rejects.toThrow(
      `GET gitrepositories.source.toolkit.fluxcd.io flux-system/flux-system on ${base}: HTTP 401: Unauthorized`,
    );
  });

  it("refuses a server its CA did not sign", async () => {
    const client = await KubeClient.fromKubeconfig(
      kubeconfig([{ token: "good" }], base, { "certificate-authority-data": b64(read("client.crt")) }),
    );
    await expect(client.getCustomObject(GIT, "flux-system", "flux-system", signal)).rejects.toThrow(
      /self.signed|unable to verify|local issuer|unable to get issuer/i,
    );
  });

  it("names an unreachable server in one line, without a stack trace", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const reader = new ClusterFluxReader();
    const error = await reader
      .read(
        { stack: "gone", kubeconfig: kubeconfig([{ token: "good" }], `https://127.0.0.1:${port}`) },
        signal,
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(
      new RegExp(`^cannot reach the API server https://127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(.*\\)$`),
    );
    expect(error?.message).not.toContain("\n");
  });

  it("reports a 403 with the API server's reason and message, not as not found", async () => {
    const client = await KubeClient.fromKubeconfig(kubeconfig([{ token: "good" }], base));
    await expect(client.getCustomObject(GIT, "tenant", "flux-system", signal)).rejects.toThrow(
      `GET gitrepositories.source.toolkit.fluxcd.io tenant/flux-system on ${base}: HTTP 403 Forbidden: gitrepositories.source.toolkit.fluxcd.io "flux-system" is forbidden: User "fleet-driver" cannot get resource "gitrepositories" in API group "source.toolkit.fluxcd.io" in the namespace "tenant"`,
    );
  });

  it("says an API that is not served (Flux's CRDs missing) is not the object not found", async () => {
    const client = await KubeClient.fromKubeconfig(kubeconfig([{ token: "good" }], base));
    const OLD = { group: "source.toolkit.fluxcd.io", version: "v1beta1", plural: "gitrepositories" };
    await expect(client.getCustomObject(OLD, "flux-system", "flux-system", signal)).rejects.toThrow(
      `GET gitrepositories.source.toolkit.fluxcd.io flux-system/flux-system on ${base}: HTTP 404 NotFound: the server could not find the requested resource (the API source.toolkit.fluxcd.io/v1beta1 gitrepositories is not served: are Flux's CRDs installed?)`,
    );
  });

  it("asks the source to reconcile with a merge patch of the requestedAt annotation", async () => {
    await new ClusterFluxReader().requestReconcile(
      { stack: "a", kubeconfig: kubeconfig([{ token: "good" }], base) },
      { kind: "GitRepository", namespace: "flux-system", name: "flux-system" },
      "2026-11-29T03:00:00.000Z",
      signal,
    );
    expect(patches.at(-1)).toEqual({
      url: "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/flux-system?fieldManager=platform-fleet",
      contentType: "application/merge-patch+json",
      body: { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "2026-11-29T03:00:00.000Z" } } },
    });
  });

  it("maps a missing Kustomization to an empty status", () => {
    expect(fluxRootStatusFrom(undefined, undefined, "GitRepository")).toEqual({});
  });
});
