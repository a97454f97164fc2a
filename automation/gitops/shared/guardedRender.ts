/**
 * Running the offline render of a stack file from the Git-side tools without letting it end the
 * process, and the line of its error to report (stackContracts in ./contract.ts).
 */
/** The first line of an error, and the config path it starts with (`flux.install.manifests.file: …`). */
export function firstLine(e: unknown): { text: string; configPath?: string } {
  // A ConfigError lists its problems below a heading: the first problem is the line to show.
  const problems = (e as { problems?: { path: string; message: string }[] } | null)?.problems;
  const text =
    Array.isArray(problems) && problems.length
      ? `${problems[0].path}: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`
      : (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return { text, configPath: /^([a-zA-Z][\w-]*(\.[\w-]+)*): /.exec(text)?.[1] };
}

/** Messages of failed renders: the engine may reject with them again later, from promises nobody awaits. */
const failedRenders = new Set<string>();
let absorbing = false;

/** From now on, rejections carrying a failed render's message are that render's, already reported. */
function absorb(message: string): void {
  failedRenders.add(message);
  if (absorbing) return;
  absorbing = true;
  const absorber = (e: unknown) => {
    if (failedRenders.has(e instanceof Error ? e.message : String(e))) return;
    // Anything else is what Node would have ended the process for.
    console.error(e);
    process.exit(1);
  };
  process.on("unhandledRejection", absorber);
  process.on("uncaughtException", absorber);
}

/**
 * Run a render so that nothing it throws escapes: the offline engine can fail outside the promise
 * (uncaught exceptions and rejections from inside the mocked runtime, often many times over), which
 * would end the process.
 */
export function guarded<T>(run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      absorb(error.message);
      done();
      reject(error);
    };
    const done = () => {
      process.off("uncaughtException", fail);
      process.off("unhandledRejection", fail);
    };
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    run().then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => fail(e),
    );
  });
}
