import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  base64Alignments,
  ed25519Seed,
  findIn,
  provePlaces,
  scan,
  secretForms,
  type Place,
  type Secret,
} from "../../e2e/harness/secretScan";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-scan-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh ed25519 key as ssh-keygen writes it (the e2e deploy key is made the same way). */
function sshKey(name: string): string {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scan-test", "-f", file]);
  return fs.readFileSync(file, "utf8");
}

const thrown = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "(did not throw)";
};

const token = { name: "the token", value: "ghs_e2eabc123status/+=?&x" };

describe("secret forms", () => {
  it("base64 at each alignment is found inside any longer encoding", () => {
    const data = Buffer.from(token.value);
    const forms = base64Alignments(data);
    expect(forms).toHaveLength(3);
    for (const k of [0, 1, 2, 3, 4, 5]) {
      const encoded = Buffer.concat([Buffer.from("x".repeat(k)), data, Buffer.from("tail")]).toString(
        "base64",
      );
      expect(forms.some((f) => encoded.includes(f))).toBe(true);
    }
  });

  it("a token: raw, three base64 alignments, JSON-escaped and URL-encoded", () => {
    expect(secretForms(token).map((f) => f.form)).toEqual([
      "raw",
      "base64 (alignment 0)",
      "base64 (alignment 1)",
      "base64 (alignment 2)",
      "URL-encoded",
    ]);
    // JSON escaping leaves this token as it is, so that form is the raw one (not listed twice).
    expect(secretForms({ name: "q", value: 'pa"ss\\word-123' }).map((f) => f.form)).toContain("JSON-escaped");
  });

  it("an OpenSSH ed25519 key: its seed, never the preamble every key shares", () => {
    const a = sshKey("a");
    const b = sshKey("b");
    const seedA = ed25519Seed(a)!;
    expect(seedA).toHaveLength(32);
    expect(ed25519Seed(b)!.equals(seedA)).toBe(false);
    const forms = secretForms({ name: "key", value: a });
    expect(forms.map((f) => f.form)).toEqual([
      "decoded seed (latin1 bytes)",
      "decoded seed (hex)",
      "seed in base64 (alignment 0)",
      "seed in base64 (alignment 1)",
      "seed in base64 (alignment 2)",
    ]);
    // No form of key a is in key b: the shared preamble is not searched.
    expect(findIn("b", b, [{ name: "key", value: a }])).toEqual([]);
  });
});

describe("findIn", () => {
  const key = sshKey("k");
  const secret = { name: "the deploy key", value: key };
  it.each([
    ["the key file as written", key],
    ["JSON-escaped in a state file", JSON.stringify({ outputs: { identity: key } })],
    ["base64 in a Secret's data", `data:\n  identity: ${Buffer.from(key).toString("base64")}\n`],
    [
      "wrapped base64 of the key file",
      Buffer.from(key)
        .toString("base64")
        .replace(/(.{76})/g, "$1\n"),
    ],
  ])("finds the deploy key %s", (_, text) => {
    expect(findIn("f", text, [secret])).toEqual([
      expect.objectContaining({ secret: "the deploy key", where: "f" }),
    ]);
  });

  it.each([
    ["raw", `token: ${token.value}`],
    ["base64", Buffer.from(`{"token":"${token.value}"}`).toString("base64")],
    ["URL-encoded", `https://x/?t=${encodeURIComponent(token.value)}`],
  ])("finds a token %s", (form, text) => {
    expect(findIn("f", text, [token])).toEqual([
      { secret: "the token", form: expect.stringContaining(form), where: "f" },
    ]);
  });

  it("finds nothing in clean text", () => {
    expect(findIn("f", "nothing to see: ghs_e2e and [redacted]", [token, secret])).toEqual([]);
  });
});

describe("scan and its positive control", () => {
  it("finds a planted canary in every folder and text, in every form, and leaves no canary file", () => {
    const a = path.join(dir, "place-a");
    fs.mkdirSync(a);
    fs.writeFileSync(path.join(a, "state.json"), "{}");
    const places = [
      { name: "state", dir: a },
      { name: "stack export", text: "{}" },
    ];
    const canary = { name: "canary", value: sshKey("canary") };
    expect(provePlaces(places, canary)).toEqual({ checked: 2 * secretForms(canary).length });
    expect(fs.readdirSync(a)).toEqual(["state.json"]);
    expect(scan(places, [canary])).toEqual([]);
  });

  it("fails when a place cannot be seen (an empty or missing folder)", () => {
    expect(() => provePlaces([{ name: "nowhere", dir: path.join(dir, "missing") }], token)).toThrow(
      "secret scan: nothing to scan in nowhere",
    );
  });

  it("fails when a form cannot be found (a scan that only matches raw substrings proves nothing)", () => {
    const b = path.join(dir, "place-b");
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(b, "x"), "x");
    // The scan as it was: raw substrings only, files read as UTF-8.
    const rawOnly = (places: Place[], secrets: Secret[]) =>
      places.flatMap((p) =>
        ("text" in p
          ? [{ where: p.name, text: p.text }]
          : fs.readdirSync(p.dir).map((f) => ({
              where: path.join(p.dir, f),
              text: fs.readFileSync(path.join(p.dir, f), "utf8"),
            }))
        ).flatMap(({ where, text }) =>
          secrets.filter((s) => text.includes(s.value)).map((s) => ({ secret: s.name, form: "raw", where })),
        ),
      );
    expect(thrown(() => provePlaces([{ name: "state", dir: b }], token, rawOnly))).toBe(
      "secret scan cannot see a canary in: state: base64 (alignment 0); state: base64 (alignment 1); state: base64 (alignment 2); state: URL-encoded",
    );
    const key = { name: "canary", value: sshKey("blind") };
    expect(thrown(() => provePlaces([{ name: "export", text: "{}" }], key, rawOnly))).toBe(
      "secret scan cannot see a canary in: export: decoded seed (latin1 bytes); export: decoded seed (hex); export: seed in base64 (alignment 0); export: seed in base64 (alignment 1); export: seed in base64 (alignment 2)",
    );
  });
});
