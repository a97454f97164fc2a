/**
 * The offline engine switches Pulumi's debugging aids off while a program runs
 * (automation/render/leanRuntime.ts): only then, back after, and with the same render.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { renderStack, type RenderResult } from "../../../automation/render";
import { runOnMocks } from "../../../automation/render/engine";
import { leanRuntimeAvailable } from "../../../automation/render/leanRuntime";

const ROOT = path.join(__dirname, "..", "..", "..");
const hooks = () => ({
  debuggablePromise: (debuggable as unknown as { debuggablePromise: unknown }).debuggablePromise,
  callsites: (pulumi.Resource as unknown as { callsites: unknown }).callsites,
});

/** A render without its duration (the only field that differs between two runs). */
const comparable = ({ durationMs: _, ...r }: RenderResult) => r;

describe("the lean runtime of the offline engine", () => {
  const saved = process.env.PLATFORM_RENDER_STACKS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PLATFORM_RENDER_STACKS;
    else process.env.PLATFORM_RENDER_STACKS = saved;
  });

  it("finds both hooks in this @pulumi/pulumi (an upgrade that removes one fails here)", () => {
    expect(leanRuntimeAvailable()).toBe(true);
  });

  it("is on while the program runs and off after; PLATFORM_RENDER_STACKS=1 keeps the full aids", async () => {
    delete process.env.PLATFORM_RENDER_STACKS;
    const before = hooks();
    const seen = (): { sameHooks: boolean; callsites: number } => {
      const now = hooks();
      return {
        sameHooks: now.debuggablePromise === before.debuggablePromise && now.callsites === before.callsites,
        callsites: (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites().length,
      };
    };
    const lean = await runOnMocks(async () => seen(), { project: "p", stack: "s" });
    expect(lean.outputs).toEqual({ sameHooks: false, callsites: 0 });
    expect(hooks()).toEqual(before);
    process.env.PLATFORM_RENDER_STACKS = "1";
    const full = await runOnMocks(async () => seen(), { project: "p", stack: "s" });
    expect(full.outputs?.sameHooks).toBe(true);
    expect(full.outputs?.callsites).toBeGreaterThan(0);
    expect(hooks()).toEqual(before);
  });

  it("renders dev exactly as with the full aids: the same resources in the same order, objects and outputs", async () => {
    delete process.env.PLATFORM_RENDER_STACKS;
    const lean = await renderStack(ROOT, "dev");
    process.env.PLATFORM_RENDER_STACKS = "1";
    const full = await renderStack(ROOT, "dev");
    expect(lean.resources.map((r) => r.urn)).toEqual(full.resources.map((r) => r.urn));
    expect(comparable(lean)).toEqual(comparable(full));
  }, 60_000);
});
