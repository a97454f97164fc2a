/**
 * Fixtures of the gitops:publish tests: a fleet repository in a temporary Git repository, and an
 * in-process OCI registry on loopback (plain http) that records every request and can ask for
 * Basic auth or run the Bearer token flow.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";

export const SECRET = "s3cr3t-pa55word";

export const CHART_YAML = "apiVersion: v2\nname: nf\nversion: 0.1.0\ndescription: a network function\n";

/** A Git repository with `gitops/` (two files and the chart charts/nf), committed at fixed dates. */
export class FleetRepo {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "publish-"));
  readonly dir = path.join(this.root, "gitops");
  private tick = 0;

  /** A new repository, or a copy of `from` (history, tags, working tree), which spawns no git. */
  constructor(origin: string | null = "git@github.com:acme-telco/platform-fleet.git", from?: FleetRepo) {
    if (from) {
      fs.cpSync(from.root, this.root, { recursive: true });
      this.tick = from.tick;
      return;
    }
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.name", "Test");
    this.git("config", "user.email", "test@example.com");
    if (origin) this.git("remote", "add", "origin", origin);
    this.write("clusters/local/kustomization.yaml", "resources: []\n");
    this.write("charts/nf/Chart.yaml", CHART_YAML);
    this.write("charts/nf/values.yaml", "replicas: 1\n");
    this.write("charts/nf/templates/cm.yaml", "kind: ConfigMap\n");
    this.commit("fleet");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.root,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    }).trim();
  }

  write(rel: string, text: string): void {
    const f = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }

  /** Commit everything, one hour after the previous commit (2026-11-01T10:00:00Z first). */
  commit(message: string): string {
    const date = new Date(Date.UTC(2026, 10, 1, 10 + this.tick++)).toISOString();
    this.git("add", "-A");
    execFileSync("git", ["commit", "-q", "-m", message], {
      cwd: this.root,
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return this.git("rev-parse", "HEAD");
  }

  /** A copy to change: made once per file, copied per test (a few git processes fewer per test). */
  copy(): FleetRepo {
    return new FleetRepo(null, this);
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export type AuthMode = "anonymous" | "basic" | "bearer";

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** An OCI registry in memory: blobs and manifests per repository, every request recorded. */
export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, Buffer>();
  /** `METHOD /path?query [authorization]` per request. */
  readonly requests: string[] = [];
  private server?: http.Server;
  private uploads = 0;
  host = "";

  constructor(private readonly auth: AuthMode = "anonymous") {}

  private authorized(req: http.IncomingMessage): boolean {
    const given = req.headers.authorization;
    if (this.auth === "anonymous") return true;
    if (this.auth === "basic") return given === `Basic ${Buffer.from(`robot:${SECRET}`).toString("base64")}`;
    return given === "Bearer tok-123";
  }

  private challenge(name: string, method: string): string {
    if (this.auth === "basic") return 'Basic realm="fake registry"';
    const scope = `repository:${name}:${method === "GET" || method === "HEAD" ? "pull" : "pull,push"}`;
    return `Bearer realm="http://${this.host}/token",service="fake.registry",scope="${scope}"`;
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", `http://${this.host}`);
    const method = req.method ?? "GET";
    this.requests.push(
      `${method} ${url.pathname}${url.search}${req.headers.authorization ? ` [${req.headers.authorization}]` : ""}`,
    );
    const send = (status: number, headers: Record<string, string> = {}, data?: Buffer | string) => {
      res.writeHead(status, headers);
      res.end(method === "HEAD" ? undefined : data);
    };
    const error = (status: number, code: string) =>
      send(
        status,
        { "content-type": "application/json" },
        JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }),
      );
    if (url.pathname === "/token") {
      if (req.headers.authorization !== `Basic ${Buffer.from(`robot:${SECRET}`).toString("base64")}`)
        return error(401, "UNAUTHORIZED");
      return send(200, { "content-type": "application/json" }, JSON.stringify({ token: "tok-123" }));
    }
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(url.pathname);
    const item = /^\/v2\/(.+?)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const name = upload?.[1] ?? item?.[1] ?? "";
    if (!this.authorized(req)) return send(401, { "www-authenticate": this.challenge(name, method) });
    if (upload && method === "POST" && !upload[2])
      return send(202, { location: `/v2/${name}/blobs/uploads/u${++this.uploads}?state=x` });
    if (upload && method === "PUT") {
      const digest = url.searchParams.get("digest") ?? "";
      if (digestOf(body) !== digest || url.searchParams.get("state") !== "x")
        return error(400, "DIGEST_INVALID");
      this.blobs.set(`${name}@${digest}`, body);
      return send(201, { location: `/v2/${name}/blobs/${digest}` });
    }
    if (item?.[2] === "blobs") {
      const b = this.blobs.get(`${name}@${item[3]}`);
      return b ? send(200, { "content-length": String(b.length) }, b) : error(404, "BLOB_UNKNOWN");
    }
    if (item?.[2] === "manifests" && method === "GET") {
      const m = this.manifests.get(`${name}:${item[3]}`);
      return m
        ? send(
            200,
            {
              "content-type": "application/vnd.oci.image.manifest.v1+json",
              "docker-content-digest": digestOf(m),
            },
            m,
          )
        : error(404, "MANIFEST_UNKNOWN");
    }
    if (item?.[2] === "manifests" && method === "PUT") {
      if (req.headers["content-type"] !== "application/vnd.oci.image.manifest.v1+json")
        return error(400, "MANIFEST_INVALID");
      this.manifests.set(`${name}:${item[3]}`, body);
      return send(201, { "docker-content-digest": digestOf(body) });
    }
    return error(404, "NAME_UNKNOWN");
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The recorded requests with the host's digests shortened to their first 12 hex digits. */
  log(): string[] {
    return this.requests.map((r) => r.replace(/sha256(:|%3A)([0-9a-f]{12})[0-9a-f]{52}/g, "sha256$1$2"));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Every entry of a gzipped tar: name, type, mode, mtime, uid/gid, names, size. */
export async function tarEntries(gz: Buffer) {
  const out: { name: string; type: string; mode: number; mtime: number; uid: number; gid: number; uname: string; gname: string; size: number }[] = []; // prettier-ignore
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      out.push({
        name: h.name,
        type: h.type,
        mode: h.mode,
        mtime: h.mtime.getTime(),
        uid: h.uid,
        gid: h.gid,
        uname: h.uname,
        gname: h.gname,
        size: h.size,
      });
      stream.on("end", () => next());
      stream.resume();
    });
    ex.on("finish", () => resolve());
    ex.on("error", reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return out;
}
