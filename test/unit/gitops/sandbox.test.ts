/**
 * The Git-side sandbox (automation/gitops/shared/sandbox.ts): what a tool may read, fetch and write
 * in a fleet repository written by someone it does not trust, with the exact messages.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  badLinks,
  hasControlCharacter,
  isRemoteReference,
  linkOutMessage,
  MAX_FILE_BYTES,
  mirrorRepo,
  readRepoText,
  remoteMessage,
  resolveInRepo,
  sandboxEnv,
  writeProblem,
  writeRepoFile,
} from "../../../automation/gitops/shared/sandbox";
import { parseManifests } from "../../../automation/gitops/shared/manifests";
import { withoutContent } from "../../../automation/gitops/shared/kustomize";
import { LAUGHS, SECRET } from "./hostileFleet";

const OUT = linkOutMessage;
const NOWHERE = (l: string) =>
  `${l} is a symbolic link that points at nothing (or at itself): replace it with the file itself, or remove it`;
const GIT =
  ".git/, which is Git's own (in CI it holds the remote's credentials), not the tree: the tools never read it";

/** A repository in a temporary folder with a private key beside it (outside it). */
function hostileRepo(): { top: string; repo: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-"));
  const repo = path.join(top, "repo");
  fs.mkdirSync(path.join(repo, "apps/base"), { recursive: true });
  fs.mkdirSync(path.join(repo, ".git"));
  fs.mkdirSync(path.join(top, "outside"));
  fs.writeFileSync(path.join(top, "outside/id_rsa"), SECRET);
  fs.writeFileSync(path.join(repo, ".git/config"), "[remote]\n url = https://ci:token@git.example.com/x\n");
  fs.writeFileSync(path.join(repo, "apps/base/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
  const link = (target: string, at: string) => fs.symlinkSync(target, path.join(repo, at));
  link("../../../outside/id_rsa", "apps/base/key.pem"); // relative, out
  link(path.join(top, "outside/id_rsa"), "apps/abs.pem"); // absolute, out
  link("../outside", "apps/outdir"); // one level short of the outside folder: repo/outside, which does not exist
  link("../../outside", "apps/out"); // a folder out
  link("base/cm.yaml", "apps/same.yaml"); // inside: fine
  link("base", "apps/alias"); // a folder inside: fine
  link("nothing.yaml", "apps/dangling.yaml");
  link("loop-b", "apps/loop-a");
  link("loop-a", "apps/loop-b");
  link("../.git/config", "apps/gitconfig");
  link("same.yaml", "apps/chain.yaml"); // a link to a link inside
  link("key.pem", "apps/base/chain-out.pem"); // a link to a link that leads out
  return { top, repo };
}

describe("resolveInRepo", () => {
  let top: string;
  let repo: string;
  beforeAll(() => ({ top, repo } = hostileRepo()));
  afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

  it.each([
    ["apps/base/key.pem", OUT("apps/base/key.pem")],
    ["apps/abs.pem", OUT("apps/abs.pem")],
    ["apps/out/id_rsa", OUT("apps/out")],
    ["./apps/out/id_rsa", OUT("apps/out")],
    ["apps/base/chain-out.pem", OUT("apps/base/key.pem")],
    ["apps/dangling.yaml", NOWHERE("apps/dangling.yaml")],
    ["apps/loop-a", NOWHERE("apps/loop-a")],
    ["apps/gitconfig", `apps/gitconfig leads through a symbolic link into ${GIT}`],
    [".git/config", `.git/config is inside ${GIT}`],
    ["apps/../.git/config", `.git/config is inside ${GIT}`],
    ["../outside/id_rsa", "../outside/id_rsa is outside the repository"],
    ["apps/../../outside/id_rsa", "apps/../../outside/id_rsa is outside the repository"],
    ["/etc/passwd", "/etc/passwd is outside the repository"],
    ["apps/nope.yaml", "apps/nope.yaml does not exist"],
    ["apps/outdir", NOWHERE("apps/outdir")],
  ])("%s is refused: %s", (rel, problem) => {
    const r = resolveInRepo(repo, rel);
    expect(r.ok ? "read" : r.problem).toBe(problem);
  });

  it.each([
    ["apps/same.yaml", "apps/base/cm.yaml"],
    ["apps/chain.yaml", "apps/base/cm.yaml"],
    ["apps/alias/cm.yaml", "apps/base/cm.yaml"],
    ["apps/base/../base/cm.yaml", "apps/base/cm.yaml"],
  ])("%s, a link inside, resolves to %s", (rel, real) => {
    const r = resolveInRepo(repo, rel);
    expect(r.ok && path.relative(fs.realpathSync(repo), r.real)).toBe(real);
  });

  it("lists every link that may not be followed, and mirrors the rest (no .git/, links kept inside)", () => {
    expect(badLinks(repo)).toEqual([
      { file: "apps/abs.pem", problem: OUT("apps/abs.pem") },
      { file: "apps/base/chain-out.pem", problem: OUT("apps/base/key.pem") },
      { file: "apps/base/key.pem", problem: OUT("apps/base/key.pem") },
      { file: "apps/dangling.yaml", problem: NOWHERE("apps/dangling.yaml") },
      { file: "apps/gitconfig", problem: `apps/gitconfig leads through a symbolic link into ${GIT}` },
      { file: "apps/loop-a", problem: NOWHERE("apps/loop-a") },
      { file: "apps/loop-b", problem: NOWHERE("apps/loop-b") },
      { file: "apps/out", problem: OUT("apps/out") },
      { file: "apps/outdir", problem: NOWHERE("apps/outdir") },
    ]);
    const mirror = fs.mkdtempSync(path.join(top, "mirror-"));
    expect(mirrorRepo(repo, mirror)).toEqual(badLinks(repo));
    const listed = fs.readdirSync(mirror, { recursive: true }).map(String).sort();
    expect(listed).toEqual([
      "apps",
      "apps/alias",
      "apps/alias/cm.yaml",
      "apps/base",
      "apps/base/cm.yaml",
      "apps/chain.yaml",
      "apps/same.yaml",
    ]);
    expect(fs.readFileSync(path.join(mirror, "apps/alias/cm.yaml"), "utf8")).toContain("ConfigMap");
    expect(fs.realpathSync(path.join(mirror, "apps/chain.yaml"))).toBe(
      fs.realpathSync(path.join(mirror, "apps/base/cm.yaml")),
    );
  });

  it("reads a file up to MAX_FILE_BYTES and names the file and the bound beyond", () => {
    fs.writeFileSync(path.join(repo, "big.yaml"), Buffer.alloc(MAX_FILE_BYTES + 1, "a"));
    fs.writeFileSync(path.join(repo, "edge.yaml"), Buffer.alloc(MAX_FILE_BYTES, "a"));
    expect(readRepoText(repo, "big.yaml")).toEqual({
      rule: "size",
      problem:
        "big.yaml is 5.0 MiB, more than the 5.0 MiB a file of the repository may be for the Git-side tools (and far more than Kubernetes stores in one object): split it, or keep it out of the tree",
    });
    expect("text" in readRepoText(repo, "edge.yaml")).toBe(true);
    expect(readRepoText(repo, "apps/base/key.pem")).toEqual({
      rule: "symlink",
      problem: OUT("apps/base/key.pem"),
    });
    expect(readRepoText(repo, "apps")).toEqual({ rule: "path", problem: "apps is not a file" });
    expect(readRepoText(repo, "apps/base/cm.yaml")).toEqual({ text: "apiVersion: v1\nkind: ConfigMap\n" });
  });
});

describe("writeProblem and writeRepoFile", () => {
  let top: string;
  let repo: string;
  beforeAll(() => ({ top, repo } = hostileRepo()));
  afterAll(() => fs.rmSync(top, { recursive: true, force: true }));
  const tool = "gitops:new-slice";

  it.each([
    [
      "apps/base/key.pem",
      "apps/base/key.pem is a symbolic link: gitops:new-slice writes only real folders and files of the repository (a link could send the write outside it); replace the link with the file itself, or remove it",
    ],
    [
      "apps/same.yaml",
      "apps/same.yaml is a symbolic link: gitops:new-slice writes only real folders and files of the repository (a link could send the write outside it); replace the link with the file itself, or remove it",
    ],
    [
      "apps/out/new.yaml",
      "apps/out is a symbolic link: gitops:new-slice writes only real folders and files of the repository (a link could send the write outside it); replace the link with the folder itself, or remove it",
    ],
    [
      "apps/alias/new.yaml",
      "apps/alias is a symbolic link: gitops:new-slice writes only real folders and files of the repository (a link could send the write outside it); replace the link with the folder itself, or remove it",
    ],
    ["apps/base/cm.yaml/x", "apps/base/cm.yaml is not a folder: gitops:new-slice needs a folder there"],
    ["apps/base", "apps/base exists and is not a file: remove it"],
  ])("%s: %s", (rel, problem) => {
    expect(writeProblem(repo, rel, tool)).toBe(problem);
  });

  it("accepts new and real paths, writes without following a link, and never overwrites without asking", () => {
    expect(writeProblem(repo, "apps/new/dir/x.yaml", tool)).toBeUndefined();
    expect(writeProblem(repo, "apps/base/cm.yaml", tool)).toBeUndefined();
    writeRepoFile(repo, "apps/new/dir/x.yaml", "a: 1\n", false);
    expect(fs.readFileSync(path.join(repo, "apps/new/dir/x.yaml"), "utf8")).toBe("a: 1\n");
    expect(() => writeRepoFile(repo, "apps/new/dir/x.yaml", "b: 2\n", false)).toThrow(/EEXIST/);
    writeRepoFile(repo, "apps/new/dir/x.yaml", "b: 2\n", true);
    expect(fs.readFileSync(path.join(repo, "apps/new/dir/x.yaml"), "utf8")).toBe("b: 2\n");
    // Even when asked to overwrite, a link at the end is not followed (O_NOFOLLOW).
    expect(() => writeRepoFile(repo, "apps/base/key.pem", "overwritten\n", true)).toThrow(/ELOOP/);
    expect(fs.readFileSync(path.join(top, "outside/id_rsa"), "utf8")).toBe(SECRET);
  });
});

describe("remote references", () => {
  it.each([
    "https://github.com/acme/bases//ingress?ref=v1.2.0",
    "http://127.0.0.1:8080/acme/bases//x",
    "github.com/acme/bases/ingress?ref=main",
    "gitlab.com/acme/bases//x",
    "git::https://git.example.com/acme/bases.git//x?ref=main",
    "git::file:///srv/bases//x",
    "ssh://git@git.example.com/acme/bases.git//x",
    "git@github.com:acme/bases.git//x",
    "file:///etc/kustomize/base",
    "s3::https://s3.amazonaws.com/bucket/base",
    "example.com/acme/bases//x?ref=v1",
  ])("%s is remote", (entry) => expect(isRemoteReference(entry)).toBe(true));

  it.each(["../base", "apps/base", "./crds.yaml", "name=values.yaml", "base@2/x"])("%s is local", (entry) =>
    expect(isRemoteReference(entry)).toBe(false),
  );

  it("says where to put it instead, and never prints a credential", () => {
    expect(remoteMessage("resources", "git::https://bot:ghp_secret@github.com/acme/x//b?ref=v1")).toBe(
      'resources entry "git::https://***@github.com/acme/x//b?ref=v1" is fetched from outside the repository: the Git-side tools never reach the network (they run in merge-request pipelines), and what a remote base holds is not reviewed here; vendor it into the repository (a directory listed by its path), or publish it as an OCI artifact and apply it with an OCIRepository and its own Flux Kustomization',
    );
  });

  it("child processes get no proxy of theirs (a closed local port instead) and Git only local transports, no prompt, no ssh", () => {
    const env = sandboxEnv({
      PATH: "/bin",
      HTTPS_PROXY: "http://proxy:3128",
      http_proxy: "x",
      ALL_PROXY: "y",
    });
    expect(env).toEqual({
      PATH: "/bin",
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
      GIT_ALLOW_PROTOCOL: "file",
      GIT_PROTOCOL_FROM_USER: "0",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "/bin/false",
      SSH_ASKPASS: "/bin/false",
      GIT_SSH_COMMAND: "/bin/false",
    });
  });
});

describe("YAML that cannot be made into data", () => {
  const EXPANDS =
    'invalid YAML: its aliases expand to more than 100 times their anchors (a resource-exhaustion pattern, "billion laughs"): write the values out';
  const EARLY =
    "invalid YAML: an alias (*name) is used before its anchor (&name) is set: set the anchor first, or write the value out";

  it.each([
    ["billion laughs", `apiVersion: v1\nkind: ConfigMap\n${LAUGHS}\n`, 1, EXPANDS],
    [
      "an alias before its anchor",
      "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: *key\n  b: &key hunter2\n",
      4,
      EARLY,
    ],
    ["an alias with no anchor", "kind: Secret\ndata:\n  token: *nowhere\n", 3, EARLY],
    ["a second document", `kind: A\n---\nkind: B\nx: *y\n`, 4, EARLY],
  ])("%s: a finding at its line, nothing of the file quoted", (_, text, line, message) => {
    const parsed = parseManifests("f.yaml", text);
    expect(parsed.errors).toEqual([{ file: "f.yaml", line, rule: "yaml", message }]);
    expect(JSON.stringify(parsed.errors)).not.toMatch(/hunter2|lol|nowhere|key\b/);
  });

  it("keeps aliases that resolve within the bound", () => {
    const parsed = parseManifests("f.yaml", "a: &x [1, 2]\nb: *x\nc: *x\n");
    expect(parsed.errors).toEqual([]);
    expect(parsed.docs[0].object).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });
});

describe("kustomize's messages", () => {
  it("lose what they quote of a file", () => {
    expect(
      withoutContent(
        "accumulating resources from 'key.yaml': invalid document separator: -----END OPENSSH PRIVATE KEY-----': must build at directory",
      ),
    ).toBe("accumulating resources from 'key.yaml': invalid document separator': must build at directory");
    expect(withoutContent(`x: ${SECRET} y`)).toBe("x: (a PEM block, not shown)\n y");
    expect(
      withoutContent("trouble configuring builtin PatchTransformer with config: `\npath: p.yaml\n`: no"),
    ).toBe("trouble configuring builtin PatchTransformer with config: `(not shown)`: no");
    expect(withoutContent(`token ${"QUJD".repeat(12)} here`)).toBe("token (not shown) here");
    expect(withoutContent("ab ".repeat(300))).toHaveLength(801);
  });
});

describe("hasControlCharacter", () => {
  it.each([
    ["a\nb", true],
    ["a\rb", true],
    ["a\tb", true],
    ["a\u0000b", true],
    ["a\u0085b", true],
    ["a\u2028b", true],
    ["a\u007fb", true],
    ["internet", false],
    ["ünïcödé 5G", false],
    ['a"b: c', false],
  ])("%j → %s", (v, expected) => expect(hasControlCharacter(v)).toBe(expected));
});
