// The secret scan of the end-to-end tests: is any secret the scenario configured anywhere a user,
// CI or an attacker with the state could read it? Each secret is searched in every form it could
// take on the way (raw, base64 at each of the three alignments, JSON-escaped, URL-encoded; for an
// OpenSSH private key, its private part and decoded seed, never the preamble every key shares), in
// the text as written and with line breaks and escaped line breaks removed (a wrapped PEM body, a
// JSON string, base64 data decoded). Before a real scan, `provePlaces` plants a canary in every place scanned and
// requires the scan to find it there in every form, so a scan that cannot see a place fails.
import * as fs from "node:fs";
import * as path from "node:path";

export interface Secret {
  /** What it is, for the message ("the deploy key"). */
  name: string;
  value: string;
}

/** One search string and how it was derived, for the message. */
export interface SecretForm {
  form: string;
  text: string;
}

/** A place scanned: a text the scenario read (stack export, outputs) or every file below a folder. */
export type Place = { name: string; text: string } | { name: string; dir: string };

export interface Finding {
  secret: string;
  form: string;
  where: string;
}

const MIN_FORM = 12;

/**
 * The base64 of `data` when it stands at each offset modulo 3 inside a longer encoded blob: only the
 * 4-character groups that `data` alone decides, so each form is found wherever `data` is encoded.
 */
export function base64Alignments(data: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), data]).toString("base64");
    const whole = Math.floor((k + data.length) / 3);
    out.push(encoded.slice(k > 0 ? 4 : 0, whole * 4));
  }
  return out.filter((s) => s.length >= MIN_FORM);
}

/** The 32-byte seed of an unencrypted OpenSSH ed25519 private key, or undefined for other keys. */
export function ed25519Seed(pem: string): Buffer | undefined {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(
    pem,
  )?.[1];
  if (!body) return undefined;
  const bin = Buffer.from(body.replace(/\s+/g, ""), "base64");
  // The private section holds the key type string, the public key, then 64 bytes: seed ‖ public key.
  const type = Buffer.from("ssh-ed25519");
  const last = bin.lastIndexOf(type);
  if (last < 0) return undefined;
  let at = last + type.length;
  const pubLen = bin.readUInt32BE(at);
  at += 4 + pubLen;
  const privLen = bin.readUInt32BE(at);
  if (privLen !== 64) return undefined;
  return bin.subarray(at + 4, at + 4 + 32);
}

/** Every form `secret` could take, each at least 12 characters. */
export function secretForms(secret: Secret): SecretForm[] {
  const forms: SecretForm[] = [];
  const add = (form: string, text: string) => {
    if (text.length >= MIN_FORM && !forms.some((f) => f.text === text)) forms.push({ form, text });
  };
  const seed = ed25519Seed(secret.value);
  if (seed) {
    // A private key: the seed, never the preamble. Its base64 at any alignment covers the PEM body
    // (searched with line breaks removed) and any re-encoding of the key file.
    add("decoded seed (latin1 bytes)", seed.toString("latin1"));
    add("decoded seed (hex)", seed.toString("hex"));
    base64Alignments(seed).forEach((b, i) => add(`seed in base64 (alignment ${i})`, b));
    return forms;
  }
  add("raw", secret.value);
  base64Alignments(Buffer.from(secret.value)).forEach((b, i) => add(`base64 (alignment ${i})`, b));
  add("JSON-escaped", JSON.stringify(secret.value).slice(1, -1));
  add("URL-encoded", encodeURIComponent(secret.value));
  return forms;
}

const unwrap = (text: string) => text.replace(/\\r|\\n|\r|\n/g, "");

/**
 * The texts searched for one text: as written, with line breaks and escaped line breaks removed,
 * and every base64 run of 64 characters or more decoded (a Kubernetes Secret's data, an encoded
 * key file), line breaks removed too.
 */
export function haystacks(text: string): string[] {
  const out = [text, unwrap(text)];
  for (const m of unwrap(text).matchAll(/[A-Za-z0-9+/]{64,}={0,2}/g))
    out.push(unwrap(Buffer.from(m[0], "base64").toString("latin1")));
  return out;
}

/** Where each secret appears in `text`, in which form. */
export function findIn(where: string, text: string, secrets: Secret[]): Finding[] {
  const hay = haystacks(text);
  const out: Finding[] = [];
  for (const s of secrets)
    for (const f of secretForms(s))
      if (hay.some((h) => h.includes(f.text))) {
        out.push({ secret: s.name, form: f.form, where });
        break;
      }
  return out;
}

/** Every regular file below `dir` (symlinks not followed). */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every finding in every place; a folder with no file is an error (the scan would prove nothing). */
export function scan(places: Place[], secrets: Secret[]): Finding[] {
  const out: Finding[] = [];
  for (const p of places) {
    if ("text" in p) {
      out.push(...findIn(p.name, p.text, secrets));
      continue;
    }
    const files = filesBelow(p.dir);
    if (!files.length) throw new Error(`secret scan: nothing to scan in ${p.name} (${p.dir})`);
    for (const f of files) out.push(...findIn(f, fs.readFileSync(f, "latin1"), secrets));
  }
  return out;
}

const CANARY_FILE = ".secret-scan-canary";

/**
 * The positive control: for every place and every form of a canary secret shaped like `like` (a
 * private key or a token), the scan finds the canary planted there in that form. Canary files are
 * removed afterwards. Throws naming each place and form the scan could not see.
 */
export function provePlaces(
  places: Place[],
  canary: Secret,
  scanWith: (places: Place[], secrets: Secret[]) => Finding[] = scan,
): { checked: number } {
  for (const p of places)
    if ("dir" in p && !filesBelow(p.dir).length)
      throw new Error(`secret scan: nothing to scan in ${p.name} (${p.dir})`);
  const forms = secretForms(canary);
  const missed: string[] = [];
  let checked = 0;
  for (const p of places)
    for (const f of forms) {
      // Planted inside other text, as a leak would be.
      const planted = `…prefix ${JSON.stringify({ leaked: "x" })} ${f.text} suffix…`;
      let found: Finding[];
      if ("text" in p) found = scanWith([{ name: p.name, text: p.text + planted }], [canary]);
      else {
        // The walk must see a file planted in the folder, and the search must find the canary in it
        // (searching only that file: the folder's own files are searched once, by the real scan).
        const file = path.join(p.dir, CANARY_FILE);
        fs.writeFileSync(file, planted, "latin1");
        try {
          found = filesBelow(p.dir).includes(file)
            ? scanWith([{ name: file, text: fs.readFileSync(file, "latin1") }], [canary])
            : [];
        } finally {
          fs.rmSync(file, { force: true });
        }
      }
      checked++;
      if (!found.length) missed.push(`${p.name}: ${f.form}`);
    }
  if (missed.length) throw new Error(`secret scan cannot see a canary in: ${missed.join("; ")}`);
  return { checked };
}
