// Preloaded into each timed process (NODE_OPTIONS=--import …): at exit, appends the process's peak
// resident memory (KiB) to the file named by BENCH_PEAK_FILE. Used by render.mjs only.
import { appendFileSync } from "node:fs";

const file = process.env.BENCH_PEAK_FILE;
if (file) process.on("exit", () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
