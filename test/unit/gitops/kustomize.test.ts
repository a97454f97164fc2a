import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  cachedKustomizePath,
  KustomizeMissing,
  pinnedKustomizeVersion,
  resolveKustomize,
} from "../../../automation/gitops/shared/kustomize";

describe("resolveKustomize", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kustomize-resolve-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fake = (version: string) => {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "kustomize"), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
    return bin;
  };

  it("pins v5.8.2, the newest release Go 1.26 builds", () => {
    expect(pinnedKustomizeVersion()).toBe("v5.8.2");
    expect(cachedKustomizePath({ PLATFORM_TOOLS_CACHE: dir })).toBe(
      path.join(dir, "kustomize", "v5.8.2", "kustomize"),
    );
  });

  it("fails with the exact command when there is none", () => {
    const env = { PLATFORM_TOOLS_CACHE: dir, PATH: path.join(dir, "nothing") };
    expect(() => resolveKustomize(env)).toThrow(
      new KustomizeMissing(
        `kustomize is needed to build the fleet repository as Flux does, and none was found: not in ${dir}/kustomize/v5.8.2/, and no kustomize v5 on PATH.\n` +
          "Build it (Go and the Go module proxy; about a minute, once) in the project directory with:\n  bash scripts/tools/kustomize.sh",
      ),
    );
  });

  it("ignores a kustomize on PATH that is not v5, and says so", () => {
    const bin = fake("v4.5.7");
    expect(() => resolveKustomize({ PLATFORM_TOOLS_CACHE: dir, PATH: bin })).toThrow(
      `no kustomize v5 on PATH (${bin}/kustomize is v4.5.7; v5 is needed)`,
    );
  });

  it("takes a kustomize v5 on PATH, and the project's build before it", () => {
    const bin = fake("v5.7.1");
    expect(resolveKustomize({ PLATFORM_TOOLS_CACHE: dir, PATH: bin })).toEqual({
      bin: path.join(bin, "kustomize"),
      version: "v5.7.1",
      source: "PATH",
    });
    const cached = cachedKustomizePath({ PLATFORM_TOOLS_CACHE: dir });
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.writeFileSync(cached, "", { mode: 0o755 });
    expect(resolveKustomize({ PLATFORM_TOOLS_CACHE: dir, PATH: `${bin}:/x` })).toEqual({
      bin: cached,
      version: "v5.8.2",
      source: "cache",
    });
  });
});
