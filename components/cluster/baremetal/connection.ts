import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { CommandCapabilities, ResolvedSsh } from "./resolve";

/**
 * What the installed @pulumi/command supports. `connection.proxy` (a bastion) arrived in the same
 * releases as `remote.CopyToRemote`, so the presence of the one tells the other.
 */
export const INSTALLED_COMMAND: CommandCapabilities = { proxy: "CopyToRemote" in command.remote };

/** An SSH connection as remote.Command takes it; `proxy` only where the SDK supports it. */
export interface SshConnection {
  host: string;
  port: number;
  user: string;
  privateKey: pulumi.Output<string>;
  proxy?: { host: string; port: number; user: string; privateKey: pulumi.Output<string> };
}

/** Reads a key file named in the config; `~` expands. */
export async function readKeyFile(file: string, at: string): Promise<string> {
  const full =
    file === "~" || file.startsWith("~/") ? path.join(os.homedir(), file.slice(1)) : path.resolve(file);
  try {
    return await fs.readFile(full, "utf8");
  } catch (e) {
    throw new Error(
      `${at}: cannot read the SSH private key ${full} (${(e as NodeJS.ErrnoException).code ?? "error"}): fix the path, or set the key as a secret instead`,
      { cause: e },
    );
  }
}

/** Key material as a secret Output; key files are read once per path. */
export class KeyLoader {
  readonly #files = new Map<string, pulumi.Output<string>>();
  constructor(private readonly read: (file: string, at: string) => Promise<string> = readKeyFile) {}

  key(
    privateKey: pulumi.Input<string> | undefined,
    privateKeyPath: string | undefined,
    at: string,
  ): pulumi.Output<string> {
    if (privateKey !== undefined) return pulumi.secret(privateKey);
    const file = privateKeyPath ?? "";
    let out = this.#files.get(file);
    if (!out) {
      out = pulumi.secret(pulumi.output(this.read(file, at)));
      this.#files.set(file, out);
    }
    return out;
  }
}

/** The connection to `host` with the resolved SSH settings. */
export function sshConnection(host: string, ssh: ResolvedSsh, keys: KeyLoader, at: string): SshConnection {
  const conn: SshConnection = {
    host,
    port: ssh.port,
    user: ssh.user,
    privateKey: keys.key(ssh.privateKey, ssh.privateKeyPath, `${at}.ssh`),
  };
  if (ssh.bastion)
    conn.proxy = {
      host: ssh.bastion.host,
      port: ssh.bastion.port,
      user: ssh.bastion.user,
      privateKey: keys.key(ssh.bastion.privateKey, ssh.bastion.privateKeyPath, `${at}.ssh.bastion`),
    };
  return conn;
}
