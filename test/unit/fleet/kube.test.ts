import * as http from "node:http";
import * as https from "node:https";
import { readFileSync } from "node:fs";
import type { TLSSocket } from "node:tls";
import * as os from "node:os";
import * as path from "node:path";
import { promises as fs } from "node:fs";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import {
  KubeconfigError,
  parseExecCredential,
  resolveKubeconfig,
} from "../../../automation/fleet/kubeconfig";
import { ClusterFluxReader, fluxRootStatusFrom, KubeClient } from "../../../automation/fleet/kube";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function kubeconfig(
  users: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
  server = "https://10.0.0.1:6443/",
) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "one",
    clusters: [{ name: "c1", cluster: { server, "certificate-authority-data": b64("CA PEM") } }],
    contexts: users.map((_, i) => ({
      name: ["one", "two", "three"][i],
      context: { cluster: "c1", user: `u${i}` },
    })),
    users: users.map((user, i) => ({ name: `u${i}`, user })),
    ...extra,
  });
}

describe("resolveKubeconfig", () => {
  it("client certificates, current context", () => {
    const a = resolveKubeconfig(
      kubeconfig([{ "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") }]),
    );
    expect(a).toEqual({
      context: "one",
      server: "https://10.0.0.1:6443",
      insecureSkipTlsVerify: false,
      ca: { data: "CA PEM" },
      clientCert: { data: "CERT" },
      clientKey: { data: "KEY" },
    });
  });

  it("a named context with a bearer token", () => {
    const a = resolveKubeconfig(kubeconfig([{}, { token: "t0k3n" }]), "two");
    expect(a).toMatchObject({ context: "two", token: "t0k3n" });
  });

  it("an exec plugin such as aws eks get-token", () => {
    const user = {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", "de-dev"],
        env: [{ name: "AWS_PROFILE", value: "fleet" }],
      },
    };
    expect(resolveKubeconfig(kubeconfig([user])).exec).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", "de-dev"],
      env: { AWS_PROFILE: "fleet" },
    });
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
      kubeconfig([{}]),
      "kind-x",
      'context "kind-x" is not in the kubeconfig (it has: one)',
    ],
    [
      "cert without key",
      kubeconfig([{ "client-certificate-data": b64("C") }]),
      undefined,
      'user "u0" has a client certificate without its key',
    ],
    [
      "exec without command",
      kubeconfig([{ exec: { args: [] } }]),
      undefined,
      'user "u0": exec has no command',
    ],
    [
      "auth-provider",
      kubeconfig([{ "auth-provider": { name: "gcp" } }]),
      undefined,
      'user "u0" uses auth-provider, which kubectl itself removed',
    ],
  ])("rejects %s", (_n, text, context, message) => {
    expect(() => resolveKubeconfig(text, context)).toThrow(KubeconfigError);
    expect(() => resolveKubeconfig(text, context)).toThrow(message);
  });

  it("parses ExecCredential output", () => {
    expect(parseExecCredential(JSON.stringify({ status: { token: "k8s-aws-v1.x" } }), "aws")).toEqual({
      token: "k8s-aws-v1.x",
    });
    expect(() => parseExecCredential("not json", "aws")).toThrow(
      "exec plugin aws did not print an ExecCredential (JSON) on stdout",
    );
    expect(() => parseExecCredential("{}", "aws")).toThrow(
      "exec plugin aws returned neither a token nor a client certificate and key",
    );
  });
});

describe("KubeClient and ClusterFluxReader against a loopback API stub", () => {
  let server: http.Server;
  let base: string;
  const seen: { url: string; auth?: string }[] = [];
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
      metadata: { generation: 1 },
      status: {
        observedGeneration: 1,
        artifact: { revision: "main@sha1:abc" },
        conditions: [{ type: "Ready", status: "True" }],
      },
    },
  };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization });
      if (req.headers.authorization !== "Bearer good") {
        res.writeHead(401).end(JSON.stringify({ message: "Unauthorized" }));
        return;
      }
      const obj = objects[req.url ?? ""];
      if (!obj) res.writeHead(404).end("{}");
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(obj));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const signal = new AbortController().signal;

  it("reads the root Kustomization and its source with a bearer token", async () => {
    const status = await new ClusterFluxReader().read(
      { stack: "a", kubeconfig: kubeconfig([{ token: "good" }], {}, base) },
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
        generation: 1,
        observedGeneration: 1,
        ready: { type: "Ready", status: "True" },
        artifactRevision: "main@sha1:abc",
      },
    });
  });

  it("gets its token from an exec plugin and from a token file", async () => {
    const script = `process.stdout.write(JSON.stringify({kind:"ExecCredential",status:{token:process.env.TOKEN_FROM_ENV}}))`;
    const kc = kubeconfig(
      [
        {
          exec: {
            command: process.execPath,
            args: ["-e", script],
            env: [{ name: "TOKEN_FROM_ENV", value: "good" }],
          },
        },
      ],
      {},
      base,
    );
    const client = KubeClient.fromKubeconfig(kc);
    expect(await client.get("/nothing-here", signal)).toBeUndefined();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-kube-"));
    await fs.writeFile(path.join(dir, "token"), "good\n");
    const fromFile = KubeClient.fromKubeconfig(
      kubeconfig([{ tokenFile: path.join(dir, "token") }], {}, base),
    );
    expect(await fromFile.get("/nothing-here", signal)).toBeUndefined();
    expect(seen.slice(-2).map((s) => s.auth)).toEqual(["Bearer good", "Bearer good"]);
    await fs.rm(dir, { recursive: true });
  });

  it("says what the server answered when access is refused", async () => {
    const client = KubeClient.fromKubeconfig(kubeconfig([{ token: "bad" }], {}, base));
    await expect(client.get("/api", signal)).rejects.toThrow(`GET /api on ${base}: HTTP 401: Unauthorized`);
  });

  it("maps a missing Kustomization to an empty status", () => {
    expect(fluxRootStatusFrom(undefined, undefined, "GitRepository")).toEqual({});
  });
});

describe("KubeClient over TLS with client certificates", () => {
  const TLS = path.join(__dirname, "../../fixtures/fleet/tls");
  const read = (f: string) => readFileSync(path.join(TLS, f), "utf8");
  let server: https.Server;
  let base: string;
  const clients: string[] = [];
  beforeAll(async () => {
    server = https.createServer(
      {
        key: read("server.key"),
        cert: read("server.crt"),
        ca: read("ca.crt"),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        clients.push(String(peer.subject?.CN));
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ kind: "APIVersions" }));
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
  const signal = new AbortController().signal;
  const kc = (cluster: Record<string, unknown>) =>
    stringify({
      "current-context": "tls",
      clusters: [{ name: "c", cluster: { server: base, ...cluster } }],
      contexts: [{ name: "tls", context: { cluster: "c", user: "u" } }],
      users: [
        {
          name: "u",
          user: {
            "client-certificate-data": b64(read("client.crt")),
            "client-key-data": b64(read("client.key")),
          },
        },
      ],
    });

  it("verifies the server with the CA and authenticates with the client certificate", async () => {
    const client = KubeClient.fromKubeconfig(kc({ "certificate-authority-data": b64(read("ca.crt")) }));
    expect(await client.get("/api", signal)).toEqual({ kind: "APIVersions" });
    expect(clients.at(-1)).toBe("fleet-driver");
  });

  it("reads the CA from a file", async () => {
    const client = KubeClient.fromKubeconfig(kc({ "certificate-authority": path.join(TLS, "ca.crt") }));
    expect(await client.get("/api", signal)).toEqual({ kind: "APIVersions" });
  });

  it("refuses a server its CA did not sign", async () => {
    const client = KubeClient.fromKubeconfig(kc({}));
    await expect(client.get("/api", signal)).rejects.toThrow(/self.signed|unable to verify|local issuer/i);
  });
});
