// SOPS with age, as a user encrypts a Secret for the fleet repository (the scripts' age keys are made
// at test time; none is committed).
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { run } from "./util";

/** `secret` SOPS-encrypted for the age `recipient` (values only); the plain file never stays on disk. */
export async function sopsSecret(
  sops: string,
  recipient: string,
  workDir: string,
  secret: { stringData: Record<string, string> } & Record<string, unknown>,
): Promise<string> {
  const plain = path.join(workDir, `plain-${Date.now()}.yaml`);
  fs.writeFileSync(plain, stringify(secret), { mode: 0o600 });
  try {
    const enc = await run(sops, [
      "--encrypt",
      "--age",
      recipient,
      "--encrypted-regex",
      "^(data|stringData)$",
      plain,
    ]);
    for (const v of Object.values(secret.stringData))
      for (const line of v.split("\n").filter((l) => l.length > 12))
        if (enc.stdout.includes(line)) throw new Error("sops left a value of the Secret in plain text");
    if (!enc.stdout.includes("ENC[AES256_GCM")) throw new Error("sops did not encrypt the Secret");
    return enc.stdout;
  } finally {
    fs.rmSync(plain, { force: true });
  }
}
