// The helper process that starts kustomize for a lint holding much memory (automation/gitops/shared/spawner.ts).
import { Spawner } from "../../../automation/gitops/shared/spawner";

const options = {
  cwd: "/",
  env: { PATH: process.env.PATH },
  timeout: 10_000,
  maxBuffer: 1 << 20,
  killSignal: "SIGKILL" as const,
};

describe("Spawner", () => {
  it("runs as execFile does, in the helper: output, exit status with stderr, the timeout's kill, runs at once", async () => {
    const spawner = new Spawner(0);
    try {
      const [ok, failed, killed, ...many] = await Promise.all([
        spawner.run("sh", ["-c", "printf 'a\\nb\\n'"], options),
        spawner.run("sh", ["-c", "echo oops >&2; exit 3"], options),
        spawner.run("sleep", ["5"], { ...options, timeout: 200 }),
        ...[1, 2, 3].map((n) => spawner.run("sh", ["-c", `sleep 0.$((4 - ${n})); echo ${n}`], options)),
      ]);
      expect(ok).toEqual({ stdout: "a\nb\n" });
      const e = (failed as { error: { code: number; stderr: string; signal: unknown } }).error;
      expect([e.code, e.stderr, e.signal]).toEqual([3, "oops\n", null]);
      expect((killed as { error: { signal: string } }).error.signal).toBe("SIGKILL");
      expect(many).toEqual([{ stdout: "1\n" }, { stdout: "2\n" }, { stdout: "3\n" }]);
    } finally {
      spawner.dispose();
    }
  });
});
