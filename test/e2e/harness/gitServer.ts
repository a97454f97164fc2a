// Git over SSH on loopback: an unprivileged Debian sshd on a free high port serving bare
// repositories, a deploy key pair made with ssh-keygen, and the known_hosts line Flux needs
// (`[127.0.0.1]:PORT type key`, from ssh-keyscan).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Supervisor } from "./supervisor";
import { freePort, run, waitFor } from "./util";

export interface GitServer {
  port: number;
  user: string;
  /** Private deploy key (OpenSSH format), its public half, and the known_hosts line. */
  identity: string;
  identityPub: string;
  knownHosts: string;
  /** `ssh://user@127.0.0.1:PORT/abs/path/name.git` */
  url(repo: string): string;
  /** Creates an empty bare repository; returns its working clone helper. */
  createRepo(repo: string): Promise<GitRepo>;
  /**
   * A key pair of its own that may only read `repo` (a forced command admits git-upload-pack of
   * that repository and nothing else): a vendor's read key. Private key (OpenSSH) and public half.
   */
  addReadKey(repo: string): Promise<{ identity: string; identityPub: string }>;
  /**
   * The other deploy keys the server accepts (besides its own and the read keys), replacing the
   * previous set, as a forge's deploy-key list: sshd reads the file at each connection.
   */
  setDeployKeys(publicKeys: string[]): void;
}

export interface GitRepo {
  name: string;
  /** The working clone (HEAD is the last commit; tags are made here). */
  workDir: string;
  /** Replaces the working tree with `files` (path -> content), commits, and pushes `branch`. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  /** Pulls `main` into the working clone (what another client, e.g. flux bootstrap, pushed). */
  pull(): Promise<void>;
  /** Tags HEAD (annotated) and pushes the tag; `force` moves an existing tag. */
  tag(tag: string, force?: boolean): Promise<void>;
}

const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"];

export async function startGitServer(sup: Supervisor, workDir: string): Promise<GitServer> {
  const sshd = SSHD_CANDIDATES.find((p) => fs.existsSync(p));
  if (!sshd)
    throw new Error(
      "sshd not found: run scripts/e2e/build-tools.sh (it installs openssh-server) or apt-get install openssh-server",
    );
  const dir = path.join(workDir, "git");
  const reposDir = path.join(dir, "repos");
  fs.mkdirSync(reposDir, { recursive: true });
  const user = os.userInfo().username;
  const port = await freePort();

  await run("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "e2e-host",
    "-f",
    path.join(dir, "host_key"),
  ]);
  await run("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "e2e-deploy",
    "-f",
    path.join(dir, "deploy_key"),
  ]);
  const identityPub = fs.readFileSync(path.join(dir, "deploy_key.pub"), "utf8");
  // The authorized keys: the server's own deploy key, the read keys, and the deploy keys set later.
  const readKeyLines: string[] = [];
  let deployKeys: string[] = [];
  const writeAuthorizedKeys = () =>
    fs.writeFileSync(
      path.join(dir, "authorized_keys"),
      [`restrict ${identityPub}`, ...readKeyLines, ...deployKeys.map((k) => `restrict ${k.trim()}\n`)].join(
        "",
      ),
      { mode: 0o600 },
    );
  writeAuthorizedKeys();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${path.join(dir, "host_key")}`,
    `PidFile ${path.join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
    `AllowUsers ${user}`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    "UsePAM no",
    "PrintMotd no",
    "LogLevel VERBOSE",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "sshd_config"), config);
  // Debian's sshd run as root wants its privilege-separation folder.
  if (process.getuid?.() === 0) fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  sup.start({ name: "sshd", command: sshd, args: ["-D", "-e", "-f", path.join(dir, "sshd_config")] });

  const knownHosts = await waitFor(
    `sshd on 127.0.0.1:${port} (ssh-keyscan)`,
    async () => {
      const { stdout } = await run("ssh-keyscan", ["-p", String(port), "-t", "ed25519", "127.0.0.1"], {
        timeoutMs: 10_000,
      });
      const line = stdout.split("\n").find((l) => l.startsWith(`[127.0.0.1]:${port} `));
      return line ? `${line.trim()}\n` : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 300, check: () => sup.assertAlive() },
  );
  fs.writeFileSync(path.join(dir, "known_hosts"), knownHosts);

  const sshCommand = [
    "ssh",
    `-i ${path.join(dir, "deploy_key")}`,
    "-o IdentitiesOnly=yes",
    `-o UserKnownHostsFile=${path.join(dir, "known_hosts")}`,
    "-o StrictHostKeyChecking=yes",
    "-o BatchMode=yes",
  ].join(" ");
  const gitEnv = {
    ...process.env,
    GIT_SSH_COMMAND: sshCommand,
    GIT_AUTHOR_NAME: "platform-e2e",
    GIT_AUTHOR_EMAIL: "e2e@example.invalid",
    GIT_COMMITTER_NAME: "platform-e2e",
    GIT_COMMITTER_EMAIL: "e2e@example.invalid",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
  const git = (args: string[], cwd: string) => run("git", args, { cwd, env: gitEnv, timeoutMs: 60_000 });
  const url = (repo: string) => `ssh://${user}@127.0.0.1:${port}${path.join(reposDir, `${repo}.git`)}`;

  let keys = 0;
  return {
    setDeployKeys(publicKeys) {
      deployKeys = [...publicKeys];
      writeAuthorizedKeys();
    },
    async addReadKey(repo: string) {
      const file = path.join(dir, `read_key_${++keys}`);
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `e2e-read-${repo}`, "-f", file]);
      const gate = path.join(dir, `read_gate_${keys}.sh`);
      const bare = path.join(reposDir, `${repo}.git`);
      // Only "git-upload-pack '<bare>'" (how Git and go-git ask to fetch), anything else refused.
      fs.writeFileSync(
        gate,
        [
          "#!/bin/sh",
          `case "$SSH_ORIGINAL_COMMAND" in`,
          `  "git-upload-pack '${bare}'"|"git-upload-pack ${bare}") exec git-upload-pack '${bare}' ;;`,
          `  *) echo "this key may only fetch ${repo}" >&2; exit 1 ;;`,
          "esac",
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const identityPub = fs.readFileSync(`${file}.pub`, "utf8");
      readKeyLines.push(`command="${gate}",restrict ${identityPub}`);
      writeAuthorizedKeys();
      return { identity: fs.readFileSync(file, "utf8"), identityPub };
    },
    port,
    user,
    identity: fs.readFileSync(path.join(dir, "deploy_key"), "utf8"),
    identityPub,
    knownHosts,
    url,
    async createRepo(repo: string): Promise<GitRepo> {
      const bare = path.join(reposDir, `${repo}.git`);
      await git(["init", "-q", "--bare", "--initial-branch=main", bare], dir);
      const work = path.join(dir, "work", repo);
      fs.mkdirSync(work, { recursive: true });
      await git(["init", "-q", "--initial-branch=main"], work);
      // Push over SSH with the deploy key: proves the server and the key before Flux uses them.
      await git(["remote", "add", "origin", url(repo)], work);
      return {
        name: repo,
        workDir: work,
        async commit(files, message) {
          for (const entry of fs.readdirSync(work))
            if (entry !== ".git") fs.rmSync(path.join(work, entry), { recursive: true });
          for (const [rel, content] of Object.entries(files)) {
            const p = path.join(work, rel);
            fs.mkdirSync(path.dirname(p), { recursive: true });
            fs.writeFileSync(p, content);
          }
          await git(["add", "-A"], work);
          await git(["commit", "-q", "--allow-empty", "-m", message], work);
          await git(["push", "-q", "origin", "HEAD:refs/heads/main"], work);
          return (await git(["rev-parse", "HEAD"], work)).stdout.trim();
        },
        async pull() {
          await git(["pull", "-q", "origin", "main"], work);
        },
        async tag(tag, force = false) {
          await git(["tag", ...(force ? ["-f"] : []), "-a", tag, "-m", tag], work);
          await git(["push", "-q", ...(force ? ["-f"] : []), "origin", `refs/tags/${tag}`], work);
        },
      };
    },
  };
}
