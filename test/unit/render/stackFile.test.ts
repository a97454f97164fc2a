/**
 * The project file (`Pulumi.yaml`) is parsed once per text in a process (automation/render/stackFile.ts):
 * an edit between two reads is seen, and no caller sees another's changes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../../../automation/render/stackFile";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
  fs.writeFileSync(path.join(dir, "Pulumi.s1.yaml"), "config:\n  platform:name: one\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const project = (owner: string) =>
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: platform\nruntime: nodejs\nconfig:\n  platform:labels:\n    default:\n      owner: ${owner}\n`,
  );

describe("the project file of readStackConfig", () => {
  it("gives each read its own copy of the defaults and sees an edit between two reads", async () => {
    project("net");
    const first = await readStackConfig(dir, "s1");
    expect(first.values).toEqual({ "platform:labels": { owner: "net" }, name: "one" });
    (first.values["platform:labels"] as Record<string, string>).owner = "changed by a caller";
    expect((await readStackConfig(dir, "s1")).values).toEqual({
      "platform:labels": { owner: "net" },
      name: "one",
    });
    project("ops");
    expect((await readStackConfig(dir, "s1")).values).toEqual({
      "platform:labels": { owner: "ops" },
      name: "one",
    });
  });
});
