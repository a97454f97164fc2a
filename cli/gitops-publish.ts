// npm run gitops:publish -- <oci://host/path> [--tag <tag>] [--charts-to <oci://host/path>] [options] (see --help)
import * as path from "node:path";
import { UsageError } from "../automation/cli/args";
import { start, type Cli, type Io } from "./common";

/** The password env variable: never a flag (it would land in shell history and `ps`). */
export const PASSWORD_ENV = "PLATFORM_REGISTRY_PASSWORD";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

export const gitopsPublish: Cli = {
  spec: {
    name: "gitops:publish",
    summary:
      "Publish the fleet repository from its Git checkout to an OCI registry: the folder as a Flux artifact (what flux push artifact makes; an OCIRepository root pulls it), annotated with its source and revision <tag>@sha1:<commit>, and with --charts-to each chart under charts/ as a Helm OCI chart (what helm push makes). Reproducible: the same commit gives the same digests; an existing tag holding the same content is left unchanged, one holding other content is refused.",
    positionals: [{ name: "<oci://host/path>", description: "where the fleet artifact goes" }],
    options: {
      tag: {
        type: "string",
        value: "<tag>",
        description: "the fleet artifact's tag, e.g. v1.2.0",
        default: "the Git tag at HEAD",
      },
      dir: { type: "string", value: "<dir>", description: "the folder to publish", default: "gitops" },
      "charts-to": {
        type: "string",
        value: "<oci://host/path>",
        description: "also push each chart of <dir>/charts/* to <path>/<chart name>:<chart version>",
      },
      source: {
        type: "string",
        value: "<url>",
        description: "the Git repository for org.opencontainers.image.source (https form)",
        default: "origin's URL, as https",
      },
      username: {
        type: "string",
        value: "<user>",
        description: `registry user (ECR: AWS), with the password in ${PASSWORD_ENV} or on stdin`,
        default: "the host's entry in ~/.docker/config.json, else anonymous",
      },
      "password-stdin": { type: "boolean", description: "read the registry password from stdin" },
      "allow-dirty": {
        type: "boolean",
        description:
          "publish even with uncommitted changes in <dir> (the revision then names a commit without them)",
      },
      "insecure-http": {
        type: "boolean",
        description: "talk plain http to the registry (a local test registry)",
      },
      "dry-run": { type: "boolean", description: "build and print the digests, push nothing" },
      json: {
        type: "boolean",
        description: "print the result as JSON (ref, digest, size, state of each artifact)",
      },
    },
    notes: [
      `Credentials: --username with ${PASSWORD_ENV} or --password-stdin, else ~/.docker/config.json ($DOCKER_CONFIG) auths. ECR: aws ecr get-login-password | npm run gitops:publish -- oci://<account>.dkr.ecr.<region>.amazonaws.com/fleet --username AWS --password-stdin`,
    ],
  },
  async run({ positionals, values }, io: Io) {
    const { publish } = await import("../automation/gitops/publish");
    const { dockerConfigCredentials } = await import("../automation/gitops/publish");
    const str = (k: string) => values[k] as string | undefined;
    const username = str("username");
    const envPassword = process.env[PASSWORD_ENV];
    if (values["password-stdin"] && !username)
      throw new UsageError("--password-stdin needs --username (ECR: --username AWS)");
    if (username === undefined && envPassword)
      throw new UsageError(
        `${PASSWORD_ENV} is set but --username is not: pass --username (ECR: --username AWS)`,
      );
    let credentials: { username: string; password: string } | undefined;
    if (username !== undefined) {
      const password = values["password-stdin"] ? await readStdin() : envPassword;
      if (!password)
        throw new UsageError(
          `--username ${username} needs a password: set ${PASSWORD_ENV} or pipe it with --password-stdin (never as a flag)`,
        );
      credentials = { username, password };
    }
    const dirLabel = str("dir") ?? "gitops";
    const result = await publish(
      {
        target: positionals[0],
        dir: path.resolve(dirLabel),
        dirLabel,
        tag: str("tag"),
        source: str("source"),
        chartsTo: str("charts-to"),
        allowDirty: !!values["allow-dirty"],
        dryRun: !!values["dry-run"],
        insecureHttp: !!values["insecure-http"],
        credentials,
        credentialsFrom:
          credentials &&
          (values["password-stdin"] ? "--username and stdin" : `--username and ${PASSWORD_ENV}`),
        credentialsFor: (host) => {
          const d = dockerConfigCredentials(host);
          return {
            credentials: d.credentials,
            from: d.file,
            note:
              d.helper && !d.credentials
                ? `${d.file} keeps ${host}'s credentials in the helper docker-credential-${d.helper}, which is not run: pass --username with ${PASSWORD_ENV} or --password-stdin if the registry needs them`
                : undefined,
          };
        },
      },
      (line) => io.err(line),
    );
    for (const w of result.warnings) io.err(`warning: ${w}`);
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      const width = Math.max(...result.artifacts.map((a) => a.ref.length));
      for (const a of result.artifacts)
        io.out(
          `${a.state.padEnd(9)}  ${a.ref.padEnd(width)}  ${a.digest}  ${a.size} bytes  (${a.files} files of ${a.from})`,
        );
      io.err(`revision ${result.revision}, source ${result.source}, created ${result.created}`);
    }
    return 0;
  },
};

if (require.main === module) start(gitopsPublish);
