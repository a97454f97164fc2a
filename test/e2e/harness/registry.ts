// An OCI registry on loopback for the root-from-OCI steps: go-containerregistry's in-memory
// registry (plain http, its only mode) behind a TLS front signed by the harness CA, so Flux pulls
// over https as it would from a private registry whose CA the platform configures
// (flux.install.trustedCAs, mounted into the controllers by the program; the kubelet adds no trust
// of its own). The scenario publishes to it with the project's own
// `gitops:publish` (harness/publish.ts).
import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import * as path from "node:path";
import { serverCertificate, type Pki } from "./pki";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, waitFor } from "./util";

export interface Registry {
  /** `127.0.0.1:PORT` (https). */
  host: string;
  /** `oci://127.0.0.1:PORT/<repo>` */
  url(repo: string): string;
  /** Environment for the harness's own Go clients (crane) that trusts the harness CA; never the controllers'. */
  trustEnv: NodeJS.ProcessEnv;
}

/**
 * A repository path prefix (`vendor-b/`) only one user may read and write, with HTTP Basic
 * credentials (what `docker login` and a dockerconfigjson Secret give).
 */
export interface RegistryUser {
  prefix: string;
  username: string;
  password: string;
}

export async function startRegistry(
  sup: Supervisor,
  tools: Tools,
  pki: Pki,
  workDir: string,
  onCleanup: (fn: () => Promise<void>) => void,
  opts: { users?: RegistryUser[] } = {},
): Promise<Registry> {
  const dir = path.join(workDir, "registry");
  fs.mkdirSync(dir, { recursive: true });
  const backendPort = await freePort();
  sup.start({ name: "registry", command: tools.path("registry"), args: [`--port=${backendPort}`] });
  await waitFor(
    "registry /v2/",
    async () => {
      const res = await fetch(`http://127.0.0.1:${backendPort}/v2/`, { signal: AbortSignal.timeout(2000) });
      return res.status === 200 ? true : undefined;
    },
    { timeoutMs: 30_000, check: () => sup.assertAlive() },
  );

  const tls = await serverCertificate(pki, "registry");
  const front = https.createServer(
    { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) },
    (req, res) => {
      const denied = authProblem(opts.users ?? [], req.url ?? "/", req.headers.authorization);
      if (denied) {
        res.writeHead(denied, { "www-authenticate": 'Basic realm="platform-e2e"' });
        res.end(denied === 401 ? "authentication required" : "denied");
        return;
      }
      const upstream = http.request(
        {
          host: "127.0.0.1",
          port: backendPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${backendPort}` },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(upstream);
    },
  );
  const port = await freePort();
  await new Promise<void>((resolve) => front.listen(port, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => front.close(() => resolve())));
  const host = `127.0.0.1:${port}`;
  const trustEnv = { ...process.env, SSL_CERT_FILE: pki.caCert };

  return {
    host,
    trustEnv,
    url: (repo) => `oci://${host}/${repo}`,
  };
}

/**
 * With users: every request needs a known user's Basic credentials (401 otherwise, with the Basic
 * challenge registry clients answer), and a repository under a user's prefix only that user (403).
 * Without users: anonymous, as before. Undefined when the request may go on.
 */
function authProblem(users: RegistryUser[], url: string, header: string | undefined): 401 | 403 | undefined {
  if (!users.length) return undefined;
  const m = /^Basic (.+)$/.exec(header ?? "");
  const [username, ...rest] = m ? Buffer.from(m[1], "base64").toString("utf8").split(":") : [];
  const user = users.find((u) => u.username === username && u.password === rest.join(":"));
  if (!user) return 401;
  const repo = url.replace(/^\/v2\/?/, "");
  const owner = users.find((u) => repo.startsWith(u.prefix));
  return owner && owner !== user ? 403 : undefined;
}
