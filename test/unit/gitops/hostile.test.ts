/**
 * A fleet repository written by someone the CI machine does not trust (issue 24): gitops:lint and
 * gitops:diff read nothing outside it and fetch nothing. Every remote reference points at an HTTP
 * server of this test, which counts what it is asked: it must be asked nothing.
 */
import * as fs from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { formatFinding, lintFleet, runGitopsDiff } from "../../../automation/gitops";
import { KustomizeBuilder } from "../../../automation/gitops/shared/kustomize";
import { commitAll, FLUX_APPS, KUSTOMIZATION, SECRET } from "./hostileFleet";

jest.setTimeout(120_000);

/** `{top}/repo`: platform dev applying apps/, whose kustomization.yaml lists config.yaml and then `more`; `{top}/outside/id_rsa` beside it. */
function fleet(more: string, files: Record<string, string> = {}): { top: string; repo: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-"));
  const repo = path.join(top, "repo");
  const all: Record<string, string> = {
    "repo/clusters/dev/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - apps.yaml\n`,
    "repo/clusters/dev/apps.yaml": FLUX_APPS,
    "repo/apps/config.yaml":
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n",
    "repo/apps/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - config.yaml\n${more}`,
    "outside/id_rsa": SECRET,
    ...files,
  };
  for (const [f, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(top, f)), { recursive: true });
    fs.writeFileSync(path.join(top, f), content);
  }
  return { top, repo };
}

/** gitops:diff of the committed repository against its working tree: exit code and what it printed. */
async function diffOf(top: string, repo: string): Promise<{ code: number; text: string }> {
  commitAll(repo);
  const printed: string[] = [];
  const code = await runGitopsDiff(["main", "--repo", repo, "--project", top], {
    out: (s) => printed.push(s),
    err: (s) => printed.push(s),
  });
  return { code, text: printed.join("\n") };
}

const lines = async (repo: string) =>
  (await lintFleet(repo)).findings.map((f) => formatFinding(f)).filter((l) => !l.includes("[reference]"));

/**
 * An HTTP server in its own process (the tools run kustomize and git synchronously, so a server in
 * the test's own event loop could not answer, nor see, a request made meanwhile): every connection
 * and request is appended to a log file the test reads.
 */
const SERVER = `
const http = require("node:http"), fs = require("node:fs");
const log = (l) => fs.appendFileSync(process.argv[1], l + "\\n");
const server = http.createServer((req, res) => {
  log(req.method + " " + req.url);
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: fetched\\n");
});
server.on("connection", () => log("connection"));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

describe("a hostile fleet repository", () => {
  let server: ChildProcess;
  let base: string;
  let logFile: string;
  const dirs: string[] = [];
  /** What the server was asked, so far. */
  const asked = () =>
    fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean) : [];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-server-"));
    dirs.push(dir);
    logFile = path.join(dir, "asked.log");
    server = spawn(process.execPath, ["-e", SERVER, logFile], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((done) =>
      server.stdout?.once("data", (d: Buffer) => done(d.toString().trim())),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.kill();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const make = (more: string, files?: Record<string, string>) => {
    const f = fleet(more, files);
    dirs.push(f.top);
    return f;
  };

  it("the server logs what it is asked (the control for every 'nothing asked' below)", async () => {
    expect((await fetch(`${base}/control`)).status).toBe(200);
    expect(asked()).toEqual(["connection", "GET /control"]);
    fs.rmSync(logFile);
  });

  it("lint refuses every remote reference at its line before kustomize runs, and nothing is asked of the server", async () => {
    const entries = [
      `${base}/acme/bases//ingress?ref=v1`,
      `git::${base}/acme/bases.git//x?ref=main`,
      `${base}/deploy.yaml`,
    ];
    const { repo } = make(
      `${entries.map((e) => `  - ${e}\n`).join("")}crds:\n  - ${base}/crd.yaml\ntransformers:\n  - git::${base}/acme/t.git//t\ncomponents:\n  - ${base.replace("http", "https")}/c//x?ref=v1\n`,
    );
    const remote = (field: string, entry: string) =>
      `${field} entry "${entry}" is fetched from outside the repository: the Git-side tools never reach the network (they run in merge-request pipelines), and what a remote base holds is not reviewed here; vendor it into the repository (a directory listed by its path), or publish it as an OCI artifact and apply it with an OCIRepository and its own Flux Kustomization`;
    expect(await lines(repo)).toEqual([
      `apps/kustomization.yaml:5: [remote] ${remote("resources", entries[0])} (dev)`,
      `apps/kustomization.yaml:6: [remote] ${remote("resources", entries[1])} (dev)`,
      `apps/kustomization.yaml:7: [remote] ${remote("resources", entries[2])} (dev)`,
      `apps/kustomization.yaml:9: [remote] ${remote("crds", `${base}/crd.yaml`)} (dev)`,
      `apps/kustomization.yaml:11: [remote] ${remote("transformers", `git::${base}/acme/t.git//t`)} (dev)`,
      `apps/kustomization.yaml:13: [remote] ${remote("components", `${base.replace("http", "https")}/c//x?ref=v1`)} (dev)`,
    ]);
    expect(asked()).toEqual([]);
  });

  it("kustomize itself cannot fetch over Git either: only local transports are allowed to it", () => {
    const { repo } = make(`  - git::${base}/acme/bases.git//x?ref=main\n`);
    const builder = new KustomizeBuilder(repo);
    try {
      expect(builder.build("apps").error).toContain(
        `accumulating resources from 'git::${base}/acme/bases.git//x?ref=main'`,
      );
    } finally {
      builder.dispose();
    }
    expect(asked()).toEqual([]);
  });

  it("kustomize builds with its default load restrictor: a file of another directory is refused", () => {
    const { repo } = make(
      "configMapGenerator:\n  - name: c\n    namespace: default\n    files:\n      - ../shared/v.txt\n",
      {
        "repo/shared/v.txt": "x\n",
      },
    );
    const builder = new KustomizeBuilder(repo);
    try {
      expect(builder.build("apps").error).toMatch(
        /security; file '.*shared\/v\.txt' is not in or below '.*apps'/,
      );
    } finally {
      builder.dispose();
    }
  });

  it("kustomize sees a mirror without links that lead out: the key is not there to read", () => {
    const { top, repo } = make(
      "configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - id_rsa\n",
    );
    fs.symlinkSync(path.join(top, "outside/id_rsa"), path.join(repo, "apps/id_rsa"));
    const builder = new KustomizeBuilder(repo);
    try {
      const out = builder.build("apps");
      expect(out.error).toContain("id_rsa");
      expect(JSON.stringify(out)).not.toContain("hunter2");
      expect(builder.badLinks.map((l) => l.file)).toEqual(["apps/id_rsa"]);
    } finally {
      builder.dispose();
    }
  });

  it("lint and diff name a link that leads out, never print what it points at, and diff exits 2", async () => {
    const { top, repo } = make(
      "  - leak.yaml\nconfigMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - id_rsa\n",
    );
    fs.writeFileSync(
      path.join(top, "outside/leak.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  k: hunter2-outside\n",
    );
    fs.symlinkSync("../../outside/id_rsa", path.join(repo, "apps/id_rsa"));
    fs.symlinkSync(path.join(top, "outside/leak.yaml"), path.join(repo, "apps/leak.yaml"));
    const out = (l: string) =>
      `${l} is a symbolic link that leads outside the repository: the Git-side tools read only files inside it (a merge request could otherwise print any file of the CI machine); replace the link with the file itself, or point it at a file of the repository`;
    const found = await lines(repo);
    expect(found).toEqual([
      `apps/id_rsa:1: [symlink] ${out("apps/id_rsa")}`,
      `apps/kustomization.yaml:5: [symlink] resources entry "leak.yaml": ${out("apps/leak.yaml")} (dev)`,
      `apps/kustomization.yaml:10: [symlink] configMapGenerator.files file "id_rsa": ${out("apps/id_rsa")} (dev)`,
      `apps/leak.yaml:1: [symlink] ${out("apps/leak.yaml")}`,
    ]);
    const { code, text } = await diffOf(top, repo);
    expect(code).toBe(2);
    expect(text).toContain(
      `- at main: apps/kustomization.yaml:5: resources entry "leak.yaml": ${out("apps/leak.yaml")}`,
    );
    expect(text).toContain(
      `- at working tree: apps/kustomization.yaml:10: configMapGenerator.files file "id_rsa": ${out("apps/id_rsa")}`,
    );
    expect(text).toContain("gitops:diff: incomplete: 1 platform could not be built completely");
    expect(`${text}\n${found.join("\n")}`).not.toMatch(/hunter2|BEGIN OPENSSH|b3BlbnNzaC1rZXktdjE/);
  });

  it("diff exits 2 on a remote base, and nothing is asked of the server", async () => {
    const { top, repo } = make(`  - ${base}/acme/bases//ingress?ref=v1\n`);
    const { code, text } = await diffOf(top, repo);
    expect(code).toBe(2);
    expect(text).toContain(
      `apps/kustomization.yaml:5: resources entry "${base}/acme/bases//ingress?ref=v1" is fetched from outside the repository`,
    );
    expect(asked()).toEqual([]);
  });
});
