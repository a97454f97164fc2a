import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  buildArtifacts,
  parseOciUrl,
  publish,
  type PublishOptions,
} from "../../../automation/gitops/publish";
import { sourceUrl } from "../../../automation/gitops/publish/publishGit";
import { dockerConfigCredentials, parseChallenge } from "../../../automation/gitops/publish/registry";
import { sha256 } from "../../../automation/gitops/publish/publish";
import { gitopsPublish } from "../../../cli/gitops-publish";
import { runCli, STACK_LINE } from "../cli/run";
import { CHART_YAML, FakeRegistry, FleetRepo, SECRET, type AuthMode } from "./publishFixtures";

let repo: FleetRepo;
let reg: FakeRegistry;
const registries: FakeRegistry[] = [];
async function registry(mode: AuthMode = "anonymous"): Promise<FakeRegistry> {
  const r = await new FakeRegistry(mode).start();
  registries.push(r);
  return r;
}

// The repository every test starts from, tagged v1.0.0; each test changes its own copy.
let template: FleetRepo;
beforeAll(() => {
  template = new FleetRepo();
  template.git("tag", "v1.0.0");
});
afterAll(() => template.dispose());
beforeEach(async () => {
  repo = template.copy();
  reg = await registry();
});
afterEach(async () => {
  repo.dispose();
  await Promise.all(registries.splice(0).map((r) => r.stop()));
});

const options = (extra: Partial<PublishOptions> = {}): PublishOptions => ({
  target: `oci://${reg.host}/acme/fleet`,
  chartsTo: `oci://${reg.host}/acme/charts`,
  dir: repo.dir,
  dirLabel: "gitops",
  insecureHttp: true,
  ...extra,
});
const run = (extra: Partial<PublishOptions> = {}) => publish(options(extra), () => undefined);
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("gitops:publish against a registry", () => {
  it("pushes the fleet artifact and the chart with the exact requests, then finds both unchanged", async () => {
    const first = await run();
    const sha = repo.git("rev-parse", "HEAD");
    expect(first).toMatchObject({
      commit: sha,
      tag: "v1.0.0",
      revision: `v1.0.0@sha1:${sha}`,
      source: "https://github.com/acme-telco/platform-fleet",
      created: "2026-11-01T10:00:00Z",
      warnings: [],
    });
    const built = await buildArtifacts(options());
    const [fleet, chart] = [built.fleet, built.charts[0]];
    expect(first.artifacts).toEqual([
      {
        kind: "fleet",
        ref: `oci://${reg.host}/acme/fleet:v1.0.0`,
        digest: fleet.digest,
        size: fleet.manifest.length + fleet.config.size + fleet.layer.size,
        state: "pushed",
        from: "gitops",
        files: 4,
      },
      {
        kind: "chart",
        ref: `oci://${reg.host}/acme/charts/nf:0.1.0`,
        digest: chart.digest,
        size: chart.manifest.length + chart.config.size + chart.layer.size,
        state: "pushed",
        from: "gitops/charts/nf",
        files: 3,
      },
    ]);
    const d = (digest: string) => digest.slice(0, 19);
    const blobPush = (name: string, digest: string, n: number) => [
      `HEAD /v2/${name}/blobs/${d(digest)}`,
      `POST /v2/${name}/blobs/uploads/`,
      `PUT /v2/${name}/blobs/uploads/u${n}?state=x&digest=${d(digest).replace(":", "%3A")}`,
    ];
    expect(reg.log()).toEqual([
      "GET /v2/acme/fleet/manifests/v1.0.0",
      "GET /v2/acme/charts/nf/manifests/0.1.0",
      ...blobPush("acme/fleet", fleet.config.digest, 1),
      ...blobPush("acme/fleet", fleet.layer.digest, 2),
      "PUT /v2/acme/fleet/manifests/v1.0.0",
      ...blobPush("acme/charts/nf", chart.config.digest, 3),
      ...blobPush("acme/charts/nf", chart.layer.digest, 4),
      "PUT /v2/acme/charts/nf/manifests/0.1.0",
    ]);
    expect(reg.manifests.get("acme/fleet:v1.0.0")).toEqual(fleet.manifest);
    expect(reg.blobs.get(`acme/charts/nf@${chart.layer.digest}`)).toEqual(chart.layer.data);

    reg.requests.length = 0;
    const again = await run();
    expect(again.artifacts.map((a) => [a.ref, a.state, a.digest])).toEqual([
      [`oci://${reg.host}/acme/fleet:v1.0.0`, "unchanged", fleet.digest],
      [`oci://${reg.host}/acme/charts/nf:0.1.0`, "unchanged", chart.digest],
    ]);
    expect(reg.log()).toEqual([
      "GET /v2/acme/fleet/manifests/v1.0.0",
      "GET /v2/acme/charts/nf/manifests/0.1.0",
    ]);
  });

  it("skips blobs the registry has; dry-run asks the registry nothing", async () => {
    const dry = await run({ dryRun: true });
    expect(dry.artifacts.map((a) => a.state)).toEqual(["dry-run", "dry-run"]);
    expect(reg.requests).toEqual([]);
    await run();
    repo.write("clusters/local/extra.yaml", "kind: ConfigMap\n");
    repo.commit("more");
    repo.git("tag", "v1.1.0");
    reg.requests.length = 0;
    const next = await run();
    expect(next.artifacts.map((a) => a.state)).toEqual(["pushed", "unchanged"]);
    // The config {} is there already: only the new layer and the manifest go up.
    expect(reg.log().filter((r) => !r.startsWith("GET") && !r.startsWith("HEAD"))).toEqual([
      "POST /v2/acme/fleet/blobs/uploads/",
      expect.stringMatching(
        /^PUT \/v2\/acme\/fleet\/blobs\/uploads\/u5\?state=x&digest=sha256%3A[0-9a-f]{12}$/,
      ),
      "PUT /v2/acme/fleet/manifests/v1.1.0",
    ]);
  });

  it("an unchanged chart keeps its digest across releases (created is its folder's last change)", async () => {
    const first = await run();
    repo.write("clusters/local/extra.yaml", "kind: ConfigMap\n");
    repo.commit("fleet only");
    repo.git("tag", "v1.1.0");
    const second = await run();
    expect(second.created).toBe("2026-11-01T11:00:00Z");
    expect(second.artifacts[1]).toEqual({ ...first.artifacts[1], state: "unchanged" });
    const chart = JSON.parse(reg.manifests.get("acme/charts/nf:0.1.0")!.toString()) as {
      annotations: Record<string, string>;
    };
    expect(chart.annotations["org.opencontainers.image.created"]).toBe("2026-11-01T10:00:00Z");
  });

  it("refuses other content under an existing tag, naming the fix, and pushes nothing", async () => {
    await run({ tag: "release" });
    repo.write("charts/nf/values.yaml", "replicas: 2\n");
    const sha = repo.commit("chart changed, version not bumped");
    reg.requests.length = 0;
    const message = await failure(run({ tag: "release" }));
    const old = JSON.parse(reg.manifests.get("acme/fleet:release")!.toString()) as {
      annotations: Record<string, string>;
    };
    const built = await buildArtifacts(options({ tag: "release" }));
    expect(message).toBe(
      [
        "nothing was pushed:",
        `  - oci://${reg.host}/acme/fleet:release already holds ${sha256(reg.manifests.get("acme/fleet:release")!)} (revision ${old.annotations["org.opencontainers.image.revision"]}), not this build (${built.fleet.digest}): a published tag is never overwritten (registries like ECR keep tags immutable, and platforms pinned to it must keep getting what they got): publish under a new tag`,
        `  - oci://${reg.host}/acme/charts/nf:0.1.0 already holds ${sha256(reg.manifests.get("acme/charts/nf:0.1.0")!)}, not this build (${built.charts[0].digest}): charts/nf changed without a new version: bump version in charts/nf/Chart.yaml`,
      ].join("\n"),
    );
    expect(old.annotations["org.opencontainers.image.revision"]).not.toContain(sha);
    expect(reg.requests.every((r) => r.startsWith("GET"))).toBe(true);
  });

  it("finds the same content compressed by another zlib unchanged (the tar is compared, not the gzip)", async () => {
    const built = await buildArtifacts(options());
    const { fleet } = built;
    const recompressed = gzipSync(gunzipSync(fleet.layer.data), { level: 1 });
    expect(sha256(recompressed)).not.toBe(fleet.layer.digest);
    const manifest = Buffer.from(
      fleet.manifest
        .toString()
        .replace(fleet.layer.digest, sha256(recompressed))
        .replace(`"size":${fleet.layer.size}`, `"size":${recompressed.length}`),
    );
    reg.blobs.set(`acme/fleet@${sha256(recompressed)}`, recompressed);
    reg.manifests.set("acme/fleet:v1.0.0", manifest);
    const result = await run({ chartsTo: undefined });
    expect(result.artifacts.map((a) => [a.state, a.digest])).toEqual([["unchanged", sha256(manifest)]]);
  });

  it("finds a chart unchanged whose only difference is its created date (a shallow clone's), not a fleet artifact", async () => {
    await run();
    const key = "acme/charts/nf:0.1.0";
    const other = Buffer.from(
      reg.manifests.get(key)!.toString().replace("2026-11-01T10:00:00Z", "2026-12-24T00:00:00Z"),
    );
    reg.manifests.set(key, other);
    const fleetKey = "acme/fleet:v1.0.0";
    const fleetOther = Buffer.from(
      reg.manifests.get(fleetKey)!.toString().replace("2026-11-01T10:00:00Z", "2026-12-24T00:00:00Z"),
    );
    reg.manifests.set(fleetKey, fleetOther);
    expect(await failure(run())).toMatch(
      /^nothing was pushed:\n {2}- oci:\/\/[^ ]+\/acme\/fleet:v1\.0\.0 already holds/,
    );
    reg.manifests.delete(fleetKey);
    const result = await run();
    expect(result.artifacts.map((a) => [a.kind, a.state])).toEqual([
      ["fleet", "pushed"],
      ["chart", "unchanged"],
    ]);
    expect(result.artifacts[1].digest).toBe(sha256(other));
  });

  it("authenticates with Basic after a 401, then sends Basic at once; never prints the password", async () => {
    reg = await registry("basic");
    await run({ credentials: { username: "robot", password: SECRET }, chartsTo: undefined });
    const basic = `[Basic ${Buffer.from(`robot:${SECRET}`).toString("base64")}]`;
    expect(reg.log().slice(0, 3)).toEqual([
      "GET /v2/acme/fleet/manifests/v1.0.0",
      `GET /v2/acme/fleet/manifests/v1.0.0 ${basic}`,
      expect.stringMatching(new RegExp(`^HEAD /v2/acme/fleet/blobs/sha256:[0-9a-f]{12} \\${basic}$`)),
    ]);
    expect(reg.requests.slice(1).every((r) => r.endsWith(basic))).toBe(true);

    const wrong = await failure(run({ credentials: { username: "robot", password: "nope" }, credentialsFrom: "--username and PLATFORM_REGISTRY_PASSWORD" })); // prettier-ignore
    expect(wrong).toBe(
      `GET http://${reg.host}/v2/acme/fleet/manifests/v1.0.0: ${reg.host} refused access to acme/fleet: the credentials from --username and PLATFORM_REGISTRY_PASSWORD were refused: check them (ECR: --username AWS with aws ecr get-login-password)`,
    );
    const none = await failure(run());
    expect(none).toContain(
      "refused access to acme/fleet: it needs credentials: pass --username with PLATFORM_REGISTRY_PASSWORD or --password-stdin, or log in so ~/.docker/config.json holds them",
    );
    expect(`${wrong}${none}`).not.toContain("nope");
  });

  it("runs the Bearer token flow: the token service asked with the credentials for pull and push", async () => {
    reg = await registry("bearer");
    const result = await run({ credentials: { username: "robot", password: SECRET }, chartsTo: undefined });
    expect(result.artifacts[0].state).toBe("pushed");
    const basic = `[Basic ${Buffer.from(`robot:${SECRET}`).toString("base64")}]`;
    expect(reg.log().slice(0, 4)).toEqual([
      "GET /v2/acme/fleet/manifests/v1.0.0",
      `GET /token?service=fake.registry&scope=repository%3Aacme%2Ffleet%3Apull%2Cpush&scope=repository%3Aacme%2Ffleet%3Apull ${basic}`,
      "GET /v2/acme/fleet/manifests/v1.0.0 [Bearer tok-123]",
      expect.stringMatching(/^HEAD \/v2\/acme\/fleet\/blobs\/sha256:[0-9a-f]{12} \[Bearer tok-123\]$/),
    ]);
    // One token for the repository: no second token request.
    expect(reg.requests.filter((r) => r.startsWith("GET /token"))).toHaveLength(1);
    const refused = await failure(run({ credentials: { username: "robot", password: "nope" } }));
    expect(refused).toMatch(
      new RegExp(
        `^the token service http://${reg.host.replace(/\./g, "\\.")}/token of ${reg.host.replace(/\./g, "\\.")} refused a token for acme/fleet \\(UNAUTHORIZED: unauthorized\\): the credentials from --username were refused`,
      ),
    );
  });

  it("says how to fix an unreachable registry", async () => {
    const gone = await registry();
    await gone.stop();
    const closed = gone.host;
    const message = await failure(run({ target: `oci://${closed}/acme/fleet`, chartsTo: undefined }));
    expect(message).toMatch(
      new RegExp(
        `^cannot reach http://${closed}/v2/acme/fleet/manifests/v1\\.0\\.0: .*ECONNREFUSED.*: check the registry host and port, and that it is up$`,
      ),
    );
  });
});

describe("what gitops:publish refuses before asking the registry", () => {
  it.each([
    [{ tag: "-bad" }, "--tag -bad: not a valid OCI tag"],
    [
      { target: "https://r.example.com/fleet" },
      "the target https://r.example.com/fleet: write the registry as oci://host/path",
    ],
    [{ target: "oci://r.example.com" }, "the target oci://r.example.com: not an oci://host/path URL"],
    [
      { target: "oci://r.example.com/Acme/fleet" },
      `the target oci://r.example.com/Acme/fleet: "Acme" is not a valid repository path component`,
    ],
    [
      { target: "oci://r.example.com/fleet:v1" },
      "give the repository without a tag or digest (the tag comes from --tag or the Git tag)",
    ],
    [
      { chartsTo: "oci://r.example.com/charts@sha256:00" },
      "--charts-to oci://r.example.com/charts@sha256:00: give the repository without a tag or digest (each chart is tagged with its version)",
    ],
    [{ dir: "/nonexistent", dirLabel: "nope" }, "--dir nope: no such folder"],
    [{ source: "not a url" }, "--source not a url: not a Git repository URL: give its https form"],
  ] as [Partial<PublishOptions>, string][])("%j", async (extra, says) => {
    expect(await failure(run(extra))).toContain(says);
    expect(reg.requests).toEqual([]);
  });

  it("needs a Git tag at HEAD (exactly one) or --tag, and a --tag that is not another commit's Git tag", async () => {
    const sha = repo.git("rev-parse", "--short=7", "HEAD");
    repo.git("tag", "-d", "v1.0.0");
    expect(await failure(run())).toBe(
      `HEAD (${sha}) has no Git tag, and the artifact's tag and revision come from it: tag the release (git tag v1.2.0 && git push origin v1.2.0) or pass --tag <tag>`,
    );
    repo.git("tag", "v1.0.0");
    repo.git("tag", "stable");
    expect(await failure(run())).toBe(
      `HEAD (${sha}) has several Git tags (stable, v1.0.0): choose one with --tag`,
    );
    repo.write("clusters/local/extra.yaml", "x: y\n");
    const next = repo.commit("next").slice(0, 7);
    expect(await failure(run({ tag: "v1.0.0" }))).toBe(
      `--tag v1.0.0: the Git tag v1.0.0 points at ${sha}, but HEAD is ${next}: check out v1.0.0 to publish it, or choose another tag`,
    );
    expect(reg.requests).toEqual([]);
  });

  it("refuses uncommitted changes in the folder unless --allow-dirty, which says so", async () => {
    repo.write("clusters/local/kustomization.yaml", "resources: [x.yaml]\n");
    repo.write("clusters/local/new.yaml", "kind: ConfigMap\n");
    const sha = repo.git("rev-parse", "--short=7", "HEAD");
    expect(await failure(run())).toBe(
      [
        `gitops has uncommitted changes, so the artifact would not be commit ${sha} its revision names:`,
        "   M gitops/clusters/local/kustomization.yaml",
        "  ?? gitops/clusters/local/new.yaml",
        "commit (and tag) them first, or pass --allow-dirty to publish the working tree anyway",
      ].join("\n"),
    );
    const dirty = await run({ allowDirty: true, dryRun: true });
    expect(dirty.warnings).toEqual([
      `--allow-dirty: publishing 2 uncommitted change(s) in gitops: the revision names commit ${sha}, which does not hold them`,
    ]);
    expect(dirty.artifacts[0].files).toBe(5);
    // A change outside the published folder does not matter.
    fs.writeFileSync(path.join(repo.root, "README.md"), "x");
    repo.git("checkout", "--", "gitops");
    fs.rmSync(path.join(repo.dir, "clusters/local/new.yaml"));
    expect((await run({ dryRun: true })).warnings).toEqual([]);
  });

  it("warns when credentials would cross the network in plain http (not for loopback)", async () => {
    const credentials = { username: "robot", password: SECRET };
    const remote = await run({
      target: "oci://registry.example.com/acme/fleet",
      chartsTo: undefined,
      credentials,
      dryRun: true,
    });
    expect(remote.warnings).toEqual([
      "--insecure-http: the credentials for registry.example.com travel unencrypted, readable by anyone on the path",
    ]);
    expect((await run({ credentials, dryRun: true })).warnings).toEqual([]);
    expect(
      (await run({ target: "oci://registry.example.com/acme/fleet", chartsTo: undefined, dryRun: true }))
        .warnings,
    ).toEqual([]);
  });

  it("needs --source when origin is missing or no forge URL", async () => {
    const bare = new FleetRepo(null);
    try {
      bare.git("tag", "v1.0.0");
      expect(await failure(run({ dir: bare.dir }))).toBe(
        "the Git repository has no remote origin, so the artifact's source is unknown: pass --source https://<host>/<org>/<repo>",
      );
      const r = await run({
        dir: bare.dir,
        source: "ssh://git@gitlab.example.com/net/fleet.git",
        dryRun: true,
      });
      expect(r.source).toBe("https://gitlab.example.com/net/fleet");
    } finally {
      bare.dispose();
    }
  });

  it("refuses a chart Helm would refuse, naming its file", async () => {
    repo.write("charts/nf/Chart.yaml", CHART_YAML.replace("0.1.0", "latest"));
    repo.commit("bad version");
    repo.git("tag", "v2");
    expect(await failure(run())).toBe(
      'gitops/charts/nf/Chart.yaml:\n  - version "latest" is not SemVer 2 (helm push tags by it): write e.g. 0.1.0'.replace(
        "gitops/",
        "",
      ),
    );
  });
});

describe("source URL, challenges and the Docker config", () => {
  it.each([
    [
      undefined,
      "git@github.com:acme-telco/platform-fleet.git",
      "https://github.com/acme-telco/platform-fleet",
    ],
    [
      undefined,
      "ssh://git@github.com:22/acme-telco/platform-fleet.git",
      "https://github.com/acme-telco/platform-fleet",
    ],
    [undefined, "https://token@gitlab.example.com/net/fleet.git", "https://gitlab.example.com/net/fleet"],
    [
      "https://github.com/acme-telco/platform-fleet/",
      "git@elsewhere:x/y.git",
      "https://github.com/acme-telco/platform-fleet",
    ],
  ])("--source %s, origin %s → %s", (given, origin, web) => expect(sourceUrl(given, origin)).toBe(web));

  it("parses WWW-Authenticate", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.example.com/token", service: "reg", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge('Basic realm="x"')).toEqual({ scheme: "basic", params: { realm: "x" } });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it("reads auths.<host>.auth from $DOCKER_CONFIG/config.json, and names a credential helper it does not run", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docker-config-"));
    try {
      fs.writeFileSync(
        path.join(dir, "config.json"),
        JSON.stringify({
          auths: {
            "https://r.example.com": { auth: Buffer.from(`robot:${SECRET}:x`).toString("base64") },
            "helped.example.com": {},
          },
          credHelpers: { "ecr.example.com": "ecr-login" },
          credsStore: "desktop",
        }),
      );
      const env = { DOCKER_CONFIG: dir };
      const file = path.join(dir, "config.json");
      expect(dockerConfigCredentials("r.example.com", env)).toEqual({
        file,
        credentials: { username: "robot", password: `${SECRET}:x` },
      });
      expect(dockerConfigCredentials("ecr.example.com", env)).toEqual({ file, helper: "ecr-login" });
      expect(dockerConfigCredentials("helped.example.com", env)).toEqual({ file, helper: "desktop" });
      expect(dockerConfigCredentials("other.example.com", env)).toEqual({ file });
      expect(dockerConfigCredentials("r.example.com", { DOCKER_CONFIG: path.join(dir, "none") })).toEqual({
        file: path.join(dir, "none", "config.json"),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parseOciUrl splits host and repository", () => {
    expect(parseOciUrl("oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/platform/fleet", "x")).toEqual({
      host: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
      repository: "platform/fleet",
    });
    expect(parseOciUrl("oci://localhost:5000/fleet", "x")).toEqual({
      host: "localhost:5000",
      repository: "fleet",
    });
  });
});

describe("the CLI", () => {
  const saved = process.env.PLATFORM_REGISTRY_PASSWORD;
  afterEach(() => {
    if (saved === undefined) delete process.env.PLATFORM_REGISTRY_PASSWORD;
    else process.env.PLATFORM_REGISTRY_PASSWORD = saved;
  });

  it("prints one line per artifact, or JSON", async () => {
    const args = [
      `oci://${reg.host}/acme/fleet`,
      "--dir",
      repo.dir,
      "--insecure-http",
      "--charts-to",
      `oci://${reg.host}/c`,
    ];
    const r = await runCli(gitopsPublish, args);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^pushed     oci://${reg.host}/acme/fleet:v1\\.0\\.0  sha256:[0-9a-f]{64}  \\d+ bytes  \\(4 files of ${repo.dir}\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^pushed     oci://${reg.host}/c/nf:0\\.1\\.0         sha256:[0-9a-f]{64}  \\d+ bytes  \\(3 files of ${repo.dir}/charts/nf\\)$`,
        ),
      ),
    ]);
    expect(r.err).toContain(
      `revision v1.0.0@sha1:${repo.git("rev-parse", "HEAD")}, source https://github.com/acme-telco/platform-fleet, created 2026-11-01T10:00:00Z`,
    );
    const json = await runCli(gitopsPublish, [...args, "--json"]);
    expect(JSON.parse(json.out).artifacts.map((a: { state: string }) => a.state)).toEqual([
      "unchanged",
      "unchanged",
    ]);
  });

  it("takes the password from the environment only with --username, and never as a flag", async () => {
    process.env.PLATFORM_REGISTRY_PASSWORD = SECRET;
    const r = await runCli(gitopsPublish, [
      `oci://${reg.host}/acme/fleet`,
      "--dir",
      repo.dir,
      "--insecure-http",
    ]);
    expect([r.code, r.err.split("\n")[0]]).toEqual([
      2,
      "PLATFORM_REGISTRY_PASSWORD is set but --username is not: pass --username (ECR: --username AWS)",
    ]);
    delete process.env.PLATFORM_REGISTRY_PASSWORD;
    const u = await runCli(gitopsPublish, [`oci://${reg.host}/acme/fleet`, "--username", "AWS"]);
    expect([u.code, u.err.split("\n")[0]]).toEqual([
      2,
      "--username AWS needs a password: set PLATFORM_REGISTRY_PASSWORD or pipe it with --password-stdin (never as a flag)",
    ]);
    const p = await runCli(gitopsPublish, [`oci://${reg.host}/acme/fleet`, "--password", "x"]);
    expect(p.code).toBe(2);
    expect(p.err).toContain("unknown option --password: did you mean --password-stdin?");
  });

  it("reports a refusal in one message with exit 1 and no stack trace", async () => {
    const r = await runCli(gitopsPublish, [
      `oci://${reg.host}/acme/fleet`,
      "--dir",
      repo.dir,
      "--tag",
      "a/b",
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("--tag a/b: not a valid OCI tag");
    expect(r.err).not.toMatch(STACK_LINE);
  });
});
