import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedSsh } from "./resolve";

/** The bastion (jump host) part of an SSH connection: `connection.proxy` of @pulumi/command 1.x. */
export interface SshProxy {
  host: string;
  port: number;
  user: string;
  /** Secret. */
  privateKey: pulumi.Output<string>;
}

/**
 * An SSH connection as remote.Command and remote.CopyToRemote take it (the SDK wraps the whole
 * connection in a secret and fills its dial defaults); `proxy` when the node is behind a bastion.
 */
export interface SshConnection {
  host: string;
  port: number;
  user: string;
  /** Secret. */
  privateKey: pulumi.Output<string>;
  proxy?: SshProxy;
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

/** The connection to `host` with the resolved SSH settings, through the bastion when one is set. */
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
