/**
 * A small client of the OCI distribution API, enough to publish: read a manifest, check and upload
 * blobs (monolithic POST then PUT ?digest=), put a manifest. Over https (Node's own trust store plus
 * NODE_EXTRA_CA_CERTS); plain http only when asked. Auth: anonymous first; on a 401, Basic with the
 * given credentials, or the Bearer token flow (the token service named by WWW-Authenticate, asked
 * with the credentials when there are any). Credentials never appear in messages.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MEDIA_TYPES, PublishError, sha256, type Blob } from "./publish";

export interface Credentials {
  username: string;
  password: string;
}

/** A registry that refused or failed a request, or could not be reached: what, which URL, the fix. */
export class RegistryError extends PublishError {
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → scheme (lower case) and parameters. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g))
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

const ACCEPT_MANIFESTS = [
  MEDIA_TYPES.manifest,
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** The registry's error body (`{"errors":[{"code","message"}]}`) in one line, or its status text. */
async function describe(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errors.length) return errors.map((e) => `${e.code ?? "?"}: ${e.message ?? ""}`).join("; ");
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ""}`;
}

/** Why a connection failed, and what to do about it. */
function unreachable(url: string, e: unknown, insecureHttp: boolean): RegistryError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? "";
  const detail = cause?.message ?? (e as Error).message;
  let fix = "check the registry host and port, and that it is up";
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code))
    fix =
      "the registry's TLS certificate is not trusted: set NODE_EXTRA_CA_CERTS=<CA bundle .pem> (Node reads it at start)";
  else if (/EPROTO|ERR_SSL|wrong version number/i.test(`${code} ${detail}`) && !insecureHttp)
    fix =
      "the registry does not speak TLS on that port: if it is a plain-http registry, pass --insecure-http";
  return new RegistryError(`cannot reach ${url}: ${detail}${code ? ` (${code})` : ""}: ${fix}`);
}

export interface RegistryClientOptions {
  insecureHttp?: boolean;
  credentials?: Credentials;
  /** Where the credentials come from, for messages (`--username`, `~/.docker/config.json`). */
  credentialsFrom?: string;
}

/** One registry host (`registry.example.com`, `127.0.0.1:5000`). */
export class RegistryClient {
  readonly base: string;
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(
    readonly host: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.base = `${options.insecureHttp ? "http" : "https"}://${host}`;
  }

  private basicHeader(): string | undefined {
    const c = this.options.credentials;
    return c && `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: "follow" });
    } catch (e) {
      throw unreachable(url, e, !!this.options.insecureHttp);
    }
  }

  private credentialsHint(): string {
    return this.options.credentials
      ? `the credentials from ${this.options.credentialsFrom ?? "--username"} were refused: check them (ECR: --username AWS with aws ecr get-login-password)`
      : "it needs credentials: pass --username with PLATFORM_REGISTRY_PASSWORD or --password-stdin, or log in so ~/.docker/config.json holds them";
  }

  /** A Bearer token for `repository`'s pull and push, from the challenge's token service. */
  private async token(challenge: Challenge, repository: string): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm)
      throw new RegistryError(`${this.host} asked for a Bearer token but named no realm (token service)`);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    const scopes = new Set([`repository:${repository}:pull,push`]);
    if (challenge.params.scope) scopes.add(challenge.params.scope);
    for (const s of scopes) url.searchParams.append("scope", s);
    const auth = this.basicHeader();
    const res = await this.fetch(url.toString(), { headers: auth ? { authorization: auth } : {} });
    if (!res.ok)
      throw new RegistryError(
        `the token service ${url.origin}${url.pathname} of ${this.host} refused a token for ${repository} (${await describe(res)}): ${this.credentialsHint()}`,
      );
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError(`the token service ${url.origin}${url.pathname} answered without a token`);
    return token;
  }

  /** A request for `repository`, authenticated as the registry asks (one retry after a 401). */
  async request(
    method: string,
    pathOrUrl: string,
    repository: string,
    init: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Response> {
    const url = pathOrUrl.startsWith("/") ? `${this.base}${pathOrUrl}` : pathOrUrl;
    const send = (auth: string | undefined) =>
      this.fetch(url, {
        method,
        headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
        body: init.body,
      });
    const token = this.tokens.get(repository);
    const first = await send(token ? `Bearer ${token}` : this.basic ? this.basicHeader() : undefined);
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get("www-authenticate"));
    await first.arrayBuffer().catch(() => undefined);
    let retry: Response;
    if (challenge?.scheme === "bearer") {
      const fresh = await this.token(challenge, repository);
      this.tokens.set(repository, fresh);
      retry = await send(`Bearer ${fresh}`);
    } else if (challenge?.scheme === "basic" && this.options.credentials && !this.basic) {
      this.basic = true;
      retry = await send(this.basicHeader());
    } else retry = first;
    if (retry.status === 401)
      throw new RegistryError(
        `${method} ${url}: ${this.host} refused access to ${repository}: ${this.credentialsHint()}`,
      );
    return retry;
  }

  private async expect(res: Response, ok: number[], what: string): Promise<Response> {
    if (ok.includes(res.status)) return res;
    const reason = await describe(res);
    const hint =
      res.status === 403
        ? `: the account may not push to it (${this.options.credentials ? "check its permissions" : this.credentialsHint()})`
        : /MANIFEST_INVALID|unknown media type/i.test(reason)
          ? ": the registry does not accept OCI artifacts of this media type (Flux and Helm artifacts need an OCI 1.0 registry: ECR, GHCR, Harbor, GitLab ≥ 15.x)"
          : "";
    throw new RegistryError(`${what} on ${this.host} failed: ${reason}${hint}`);
  }

  /** The manifest a tag or digest names: its bytes and digest; undefined when there is none. */
  async manifest(
    repository: string,
    reference: string,
  ): Promise<{ digest: string; data: Buffer } | undefined> {
    const res = await this.request("GET", `/v2/${repository}/manifests/${reference}`, repository, {
      headers: { accept: ACCEPT_MANIFESTS },
    });
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    await this.expect(res, [200], `reading ${repository}:${reference}`);
    const data = Buffer.from(await res.arrayBuffer());
    return { digest: sha256(data), data };
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/v2/${repository}/blobs/${digest}`, repository);
    if (res.status === 404) return false;
    await this.expect(res, [200], `checking blob ${digest} of ${repository}`);
    return true;
  }

  async blob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.request("GET", `/v2/${repository}/blobs/${digest}`, repository);
    await this.expect(res, [200], `reading blob ${digest} of ${repository}`);
    const data = Buffer.from(await res.arrayBuffer());
    if (sha256(data) !== digest)
      throw new RegistryError(`blob ${digest} of ${repository} on ${this.host} has digest ${sha256(data)}`);
    return data;
  }

  /** Upload a blob in one request (POST for a location, PUT ?digest= with the bytes). */
  async uploadBlob(repository: string, b: Blob): Promise<void> {
    const start = await this.request("POST", `/v2/${repository}/blobs/uploads/`, repository);
    await this.expect(start, [202], `starting an upload to ${repository}`);
    await start.arrayBuffer().catch(() => undefined);
    const location = start.headers.get("location");
    if (!location)
      throw new RegistryError(`${this.host} started an upload to ${repository} without a Location`);
    const url = new URL(location, this.base);
    url.searchParams.set("digest", b.digest);
    const put = await this.request("PUT", url.toString(), repository, {
      headers: { "content-type": "application/octet-stream" },
      body: b.data,
    });
    await this.expect(put, [201, 204], `uploading blob ${b.digest} to ${repository}`);
    await put.arrayBuffer().catch(() => undefined);
  }

  async putManifest(repository: string, tag: string, manifest: Buffer, mediaType: string): Promise<void> {
    const res = await this.request("PUT", `/v2/${repository}/manifests/${tag}`, repository, {
      headers: { "content-type": mediaType },
      body: manifest,
    });
    await this.expect(res, [201, 200], `pushing ${repository}:${tag}`);
    const digest = res.headers.get("docker-content-digest");
    await res.arrayBuffer().catch(() => undefined);
    if (digest && digest !== sha256(manifest))
      throw new RegistryError(
        `${this.host} stored ${repository}:${tag} as ${digest}, not ${sha256(manifest)}: the registry rewrote the manifest`,
      );
  }
}

/**
 * The credentials `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`) holds for `host` in
 * `auths.<host>.auth` (base64 `user:password`). A credential helper is not run: `helper` names it.
 */
export function dockerConfigCredentials(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): { credentials?: Credentials; file: string; helper?: string } {
  const dir = env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker");
  const file = path.join(dir, "config.json");
  let config: {
    auths?: Record<string, { auth?: string; username?: string; password?: string }>;
    credHelpers?: Record<string, string>;
    credsStore?: string;
  };
  try {
    config = JSON.parse(fs.readFileSync(file, "utf8")) as typeof config;
  } catch {
    return { file };
  }
  const hostOf = (key: string) => key.replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
  const entry = Object.entries(config.auths ?? {}).find(([k]) => hostOf(k) === host)?.[1];
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0)
      return { file, credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
  }
  if (entry?.username && entry.password)
    return { file, credentials: { username: entry.username, password: entry.password } };
  const helper = config.credHelpers?.[host] ?? (entry ? config.credsStore : undefined);
  return { file, helper };
}
