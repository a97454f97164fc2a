/** Incidents: a process that exits on its own is one (restartable or not), a stopped one is not. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Supervisor } from "../../e2e/harness/supervisor";

describe("Supervisor incidents", () => {
  let sup: Supervisor;
  beforeEach(() => (sup = new Supervisor(fs.mkdtempSync(path.join(os.tmpdir(), "sup-")))));
  afterEach(() => sup.stopAll(1000));

  it("a restartable process that exits on its own fails the next assertAlive and wakes the waiter", async () => {
    const waiter = sup.nextIncident(0);
    const p = sup.start({
      name: "crasher",
      command: "sh",
      args: ["-c", "echo boom; exit 3"],
      restartable: true,
    });
    await p.exited;
    await expect(waiter.promise).rejects.toThrow(
      /^crasher exited on its own \(3\), not stopped by the harness; last lines of .*crasher\.log:\n\$ sh -c echo boom; exit 3\nboom\n\(at /,
    );
    expect(() => sup.assertAlive()).toThrow(/^crasher exited on its own \(3\)/);
    expect(() => sup.assertAlive(1)).not.toThrow();
  });

  it("a process the harness stops is no incident", async () => {
    sup.start({ name: "sleeper", command: "sleep", args: ["30"], restartable: true });
    await sup.stop(["sleeper"], 1000);
    expect(sup.unexpectedExits()).toEqual([]);
    expect(() => sup.assertAlive()).not.toThrow();
  });

  it("a reported problem is an incident", () => {
    sup.reportIncident("kubelet", "Deployment x refused");
    expect(sup.unexpectedExits().map((i) => [i.name, i.message])).toEqual([
      ["kubelet", "Deployment x refused"],
    ]);
  });
});
