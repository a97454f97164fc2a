/**
 * automation/render/pool.ts: worker processes that load a job module once and take the next item
 * when done with one; a worker that dies fails the item it was on, and the others go on.
 */
import * as path from "node:path";
import { inWorkers } from "../../../automation/render/pool";

const FIXTURE = path.join(__dirname, "../../helpers/poolJobFixture.ts");
jest.setTimeout(60_000);

const run = (items: string[], workers: number, done: string[] = []) =>
  inWorkers(items, {
    workers,
    module: FIXTURE,
    setup: { prefix: "job " },
    failed: (item, why) => `failed ${item}: ${why}`,
    onDone: (item) => done.push(item),
  });

describe("the render pool", () => {
  it("runs the module's job on each item in as many processes as asked, and gives the results in the items' order", async () => {
    // Each worker is sent 8 items ahead: 20 items keep both busy.
    const items = "abcdefghijklmnopqrst".split("");
    const done: string[] = [];
    const results = await run(items, 2, done);
    expect(results.map((r) => r.replace(/ by \d+$/, ""))).toEqual(items.map((i) => `job ${i.toUpperCase()}`));
    expect(done.sort()).toEqual(items);
    const pids = new Set(results.map((r) => r.split(" by ")[1]));
    expect([pids.size, pids.has(String(process.pid))]).toEqual([2, false]);
  });

  it("fails the item a worker died on, and a new worker takes the items it had been sent after it", async () => {
    const results = await run(["a", "die", "b", "c"], 2);
    expect(results.map((r) => r.replace(/ by \d+$/, ""))).toEqual([
      "job A",
      "failed die: the render worker rendering it exited (code 3)",
      "job B",
      "job C",
    ]);
  });

  it("reports the items no worker reached when every worker died", async () => {
    expect(await run(["die", "a"], 1)).toEqual([
      "failed die: the render worker rendering it exited (code 3)",
      "failed a: not rendered: every render worker exited before reaching it",
    ]);
  });
});
