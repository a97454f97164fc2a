import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  checkOutputDir,
  OUTPUT_MARKER,
  OutputError,
  replaceOutputDir,
  writeOutputFile,
} from "../../../automation/render/output";
import { render } from "../../../cli/render";
import { fleetWithUndefinedVariable } from "../../helpers/undefinedVariable";
import { runCli } from "../cli/run";

const ROOT = path.join(__dirname, "..", "..", "..");
jest.setTimeout(60_000);

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "output-"));
});
afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

const write = (files: Record<string, string>) => async (dir: string) => {
  for (const [f, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await fs.writeFile(path.join(dir, f), text);
  }
};

describe("replaceOutputDir", () => {
  it("writes a new folder with a marker listing its files, and replaces only that", async () => {
    const out = path.join(tmp, "out");
    await replaceOutputDir(out, "test", { option: "--out" }, write({ "a.txt": "1", "k/b.txt": "2" }));
    expect(JSON.parse(await fs.readFile(path.join(out, OUTPUT_MARKER), "utf8"))).toEqual({
      writtenBy: "test",
      files: ["a.txt", "k/b.txt"],
      listing: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await replaceOutputDir(out, "test", { option: "--out" }, write({ "c.txt": "3" }));
    expect((await fs.readdir(out)).sort()).toEqual([OUTPUT_MARKER, "c.txt"]);
    // Nothing left beside it: the temporary and previous folders are gone.
    expect(await fs.readdir(tmp)).toEqual(["out"]);
  });

  it("leaves the previous output whole when writing fails", async () => {
    const out = path.join(tmp, "out");
    await replaceOutputDir(out, "test", { option: "--out" }, write({ "a.txt": "1" }));
    await expect(
      replaceOutputDir(out, "test", { option: "--out" }, async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await fs.readFile(path.join(out, "a.txt"), "utf8")).toBe("1");
    expect(await fs.readdir(tmp)).toEqual(["out"]);
  });

  it("refuses a folder it did not write, and one where a file was added, deleting nothing", async () => {
    const foreign = path.join(tmp, "foreign");
    await write({ "x.txt": "mine" })(foreign);
    await expect(replaceOutputDir(foreign, "test", { option: "--out" }, write({}))).rejects.toThrow(
      OutputError,
    );
    expect(await fs.readFile(path.join(foreign, "x.txt"), "utf8")).toBe("mine");

    const out = path.join(tmp, "out");
    await replaceOutputDir(out, "test", { option: "--out" }, write({ "a.txt": "1" }));
    await fs.writeFile(path.join(out, "notes.txt"), "mine");
    await expect(replaceOutputDir(out, "test", { option: "--out" }, write({}))).rejects.toThrow(
      "holds files this tool did not write: notes.txt",
    );
    expect((await fs.readdir(out)).sort()).toEqual([OUTPUT_MARKER, "a.txt", "notes.txt"]);
  });

  it("refuses a folder whose content differs from its marker's hash: a changed file, a forged or old marker", async () => {
    const out = path.join(tmp, "out");
    await replaceOutputDir(out, "test", { option: "--out" }, write({ "a.txt": "1" }));
    await fs.writeFile(path.join(out, "a.txt"), "2");
    await expect(checkOutputDir(out, { option: "--out" })).rejects.toThrow(
      "its content is not exactly what this tool wrote there",
    );
    const forged = path.join(tmp, "forged");
    await write({
      "notes.md": "mine",
      [OUTPUT_MARKER]: JSON.stringify({ writtenBy: "npm run render", files: ["notes.md"] }),
    })(forged);
    await expect(replaceOutputDir(forged, "test", { option: "--out" }, write({}))).rejects.toThrow(
      "was not written by this tool), so nothing in it is replaced",
    );
    expect(await fs.readFile(path.join(forged, "notes.md"), "utf8")).toBe("mine");
  });

  it("never replaces the file system's root, the home folder, the project or a folder holding it", async () => {
    const project = path.join(tmp, "p");
    await fs.mkdir(project);
    for (const [dir, says] of [
      ["/", "--out / is the root of the file system"],
      [os.homedir(), "is your home folder"],
      [project, "is the project folder"],
      [tmp, `holds the project folder ${project}`],
    ])
      await expect(checkOutputDir(dir, { option: "--out", project })).rejects.toThrow(says);
    await expect(
      checkOutputDir(path.join(project, "render", "x"), { option: "--out", project, createParents: true }),
    ).resolves.toBeUndefined();
  });

  it("accepts an empty folder; creates missing parents only when asked", async () => {
    await fs.mkdir(path.join(tmp, "empty"));
    await expect(checkOutputDir(path.join(tmp, "empty"), { option: "--out" })).resolves.toBeUndefined();
    await expect(checkOutputDir(path.join(tmp, "a", "b"), { option: "--out" })).rejects.toThrow(
      "does not exist: create it first, or choose another --out",
    );
    await replaceOutputDir(
      path.join(tmp, "a", "b"),
      "t",
      { option: "--out", createParents: true },
      write({}),
    );
    expect(await fs.readdir(path.join(tmp, "a", "b"))).toEqual([OUTPUT_MARKER]);
  });
});

describe("writeOutputFile", () => {
  const opts = { option: "--json", isOurs: (t: string) => t.startsWith("{") };
  it("writes, replaces its own file, refuses a foreign one and a missing folder", async () => {
    const file = path.join(tmp, "r.json");
    await writeOutputFile(file, "{1}", opts);
    await writeOutputFile(file, "{2}", opts);
    expect(await fs.readFile(file, "utf8")).toBe("{2}");
    await fs.writeFile(path.join(tmp, "notes.json"), "mine");
    await expect(writeOutputFile(path.join(tmp, "notes.json"), "{3}", opts)).rejects.toThrow(
      "exists and is not a report written by this tool",
    );
    await expect(writeOutputFile(path.join(tmp, "nope", "r.json"), "{}", opts)).rejects.toThrow(
      "does not exist: create it first",
    );
    expect((await fs.readdir(tmp)).sort()).toEqual(["notes.json", "r.json"]);
  });
});

describe("render output", () => {
  it("summary.txt is the same bytes on every run; the duration and path go to the terminal only", async () => {
    const a = await runCli(render, ["local", "--project", ROOT, "--out", path.join(tmp, "a")]);
    const first = await fs.readFile(path.join(tmp, "a", "summary.txt"), "utf8");
    const b = await runCli(render, ["local", "--project", ROOT, "--out", path.join(tmp, "a")]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(await fs.readFile(path.join(tmp, "a", "summary.txt"), "utf8")).toBe(first);
    expect(first.split("\n")[0]).toBe("render local: 9 resources, 4 Kubernetes objects");
    expect(first).not.toContain(tmp);
    expect(first).not.toMatch(/\d s\b/);
    expect(b.err).toMatch(new RegExp(`^wrote ${tmp}/a \\(rendered in \\d+\\.\\d\\d s\\)$`));
  });

  it("does not replace a folder that merely looks like a render written before markers held a hash", async () => {
    const legacy = {
      "summary.txt": "render local: 8 resources, 4 Kubernetes objects in 0.15 s -> render/local\n",
      "resources.json": "[]\n",
      "k8s/flux-system/ConfigMap.cluster-vars.yaml": "kind: ConfigMap\n",
    };
    await write(legacy)(path.join(tmp, "old"));
    const old = await runCli(render, ["local", "--project", ROOT, "--out", path.join(tmp, "old")]);
    expect(old.code).toBe(1);
    expect(old.err).toContain("is not empty and was not written by this tool");
    expect(await fs.readdir(path.join(tmp, "old"))).not.toContain(OUTPUT_MARKER);
  });

  it("render fails on a variable of the tree no platform defines", async () => {
    // `fleet render` (a pool of worker processes) on the same: test/integration/render/undefinedVariable.test.ts.
    const { project, gitops, defineVariable } = await fleetWithUndefinedVariable(tmp);
    const singleRender = ["p001", "--project", project, "--gitops", gitops, "--out", path.join(tmp, "one")];
    const single = await runCli(render, singleRender);
    expect(single.code).toBe(1);
    expect(single.out).toContain("apps/base/namespace.yaml:");
    expect(single.out).toContain("${SITE_CODE}: add it to flux.vars");
    // With the variable defined it passes.
    await defineVariable();
    expect((await runCli(render, singleRender)).code).toBe(0);
  });
});
