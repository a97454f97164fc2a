/**
 * Pulumi's per-resource debugging aids, which the offline engine records nothing of, switched off
 * while a program runs on it (and back on after):
 *
 * - every promise of a registration goes through `debuggablePromise`, which gives it three
 *   properties (an id, a context and a stack trace) and a place in the leak detector's set. The lean
 *   version keeps the same two reactions (`then`, then `catch` tagging the error with its promise), so
 *   the program's promises settle in the same order and the resources register in the same order;
 * - every resource captures the whole stack (`Resource.callsites`, `Error.stackTraceLimit` set to
 *   Infinity) for its source position, which only the real engine shows.
 *
 * Together they were about a tenth of a render's time. What is recorded (types, names, inputs,
 * options, outputs) is the same either way: the render equality tests compare the files.
 */
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";

type Debuggable = <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
interface DebuggableModule {
  debuggablePromise: Debuggable;
}
interface ResourceClass {
  callsites: () => unknown[];
}

const runtime = debuggable as unknown as Partial<DebuggableModule>;
const resourceClass = pulumi.Resource as unknown as Partial<ResourceClass>;

/** Whether this @pulumi/pulumi has both hooks (a unit test fails loudly when an upgrade removes one). */
export function leanRuntimeAvailable(): boolean {
  return typeof runtime.debuggablePromise === "function" && typeof resourceClass.callsites === "function";
}

function leanDebuggablePromise<T>(p: Promise<T>): Promise<T> {
  return p
    .then((val) => val)
    .catch((err: unknown) => {
      (err as { promise?: unknown }).promise = p;
      throw err;
    });
}

/**
 * Switch the debugging aids off; returns the function that switches them back on. Where the SDK's
 * module cannot be changed (loaded as an ES module namespace, as tsx loads it, whose exports are
 * read-only), nothing is switched off and the render runs with the aids, as without this.
 */
export function leanRuntime(): () => void {
  if (!leanRuntimeAvailable()) return () => {};
  const { debuggablePromise } = runtime as DebuggableModule;
  const { callsites } = resourceClass as ResourceClass;
  const restore = () => {
    if (runtime.debuggablePromise !== debuggablePromise) runtime.debuggablePromise = debuggablePromise;
    resourceClass.callsites = callsites;
  };
  try {
    runtime.debuggablePromise = leanDebuggablePromise as Debuggable;
    resourceClass.callsites = () => [];
  } catch {
    restore();
    return () => {};
  }
  return restore;
}
