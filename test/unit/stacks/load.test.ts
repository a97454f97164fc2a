import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "../../../stacks/config";

/** The engine path: config as `pulumi up` hands it to the program (JSON for objects, secret keys listed). */
function setEngineConfig(secretKeys: string[]) {
  pulumi.runtime.setAllConfig(
    {
      "platform:name": "de-prod",
      "platform:environment": "prod",
      "platform:owner": "net-int",
      "platform:organization": "acme",
      "platform:country": "",
      "platform:site": "fra1",
      "platform:cluster": JSON.stringify({ kind: "existing", kubeconfig: "KUBECONFIG" }),
      "platform:flux": JSON.stringify({
        source: { url: "https://git.example.com/acme/fleet.git", ref: { tag: "v1.0.0" } },
        auth: { type: "https", username: "git", password: "TOKEN" },
      }),
      "aws:region": "eu-central-1",
    },
    secretKeys,
  );
}

describe("loadPlatformConfig (the running stack's config)", () => {
  beforeAll(() =>
    pulumi.runtime.setMocks(
      { newResource: () => ({ id: "x", state: {} }), call: () => ({}) },
      "platform",
      "unit",
      false,
    ),
  );

  it("parses structured keys, ignores other namespaces, treats empty optional scalars as unset", () => {
    setEngineConfig(["platform:cluster", "platform:flux"]);
    const c = loadPlatformConfig();
    expect([c.name, c.environment, c.country, c.site, c.cluster.kind]).toEqual([
      "de-prod",
      "prod",
      undefined,
      "fra1",
      "existing",
    ]);
    expect(c.flux.auth.type === "https" && c.flux.auth.password?.value).toBe("TOKEN");
  });

  it("names the stack file and the command when a secret-bearing key is not a secret", () => {
    setEngineConfig(["platform:cluster"]);
    expect(() => loadPlatformConfig()).toThrow(
      'Invalid configuration for stack "unit" (Pulumi.unit.yaml), 1 problem:\n' +
        "  - flux.auth.password: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.auth.password' <value>` so it is encrypted in Pulumi.unit.yaml",
    );
  });

  it("checks each secret path by the stack file, not only the top-level key the engine flags", () => {
    // platform:flux is secret for the engine because secretVars.X is secure; the password is not.
    setEngineConfig(["platform:cluster", "platform:flux"]);
    const dir = mkdtempSync(path.join(tmpdir(), "platform-load-"));
    writeFileSync(
      path.join(dir, "Pulumi.unit.yaml"),
      [
        "config:",
        "  platform:cluster:",
        "    kubeconfig:",
        "      secure: v1:AAAA",
        "  platform:flux:",
        "    auth:",
        "      password: TOKEN",
        "    secretVars:",
        "      X:",
        "        secure: v1:BBBB",
        "",
      ].join("\n"),
    );
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(() => loadPlatformConfig()).toThrow(
        "  - flux.auth.password: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.auth.password' <value>` so it is encrypted in Pulumi.unit.yaml",
      );
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
