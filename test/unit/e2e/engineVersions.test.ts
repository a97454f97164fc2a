/** The engine parts that ran: language host from `pulumi about`, provider from the audit log's user agents. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AuditEvent } from "../../e2e/harness/audit";
import {
  builtProviderVersion,
  languageHostProblem,
  providerVersionProblem,
  readEnvFile,
} from "../../e2e/harness/engineVersions";

const ua = (userAgent: string): AuditEvent => ({
  verb: "get",
  requestURI: "/version",
  userAgent,
  user: { username: "platform-e2e-admin" },
});
const BUILT = "4.25.0-alpha.20260115+f47bc2d6f199";

describe("languageHostProblem", () => {
  const about = (version?: string) =>
    JSON.stringify({
      plugins: [
        { name: "kubernetes", kind: "resource", version: "4.34.2" },
        { name: "nodejs", kind: "language", version },
      ],
    });
  it("accepts the built version", () =>
    expect(languageHostProblem(about("3.188.0"), "3.188.0")).toBeUndefined());
  it("names another version", () =>
    expect(languageHostProblem(about("3.270.0"), "3.188.0")).toBe(
      "the nodejs language host that ran reports 3.270.0, built 3.188.0",
    ));
  it("names a missing host and output that is not JSON", () => {
    expect(languageHostProblem(JSON.stringify({ plugins: [] }), "3.188.0")).toBe(
      "pulumi about lists 0 nodejs language hosts, want 1",
    );
    expect(languageHostProblem("error: no project", "3.188.0")).toBe("pulumi about --json printed no JSON");
  });
});

describe("providerVersionProblem", () => {
  it("counts the provider's requests and accepts the built version", () =>
    expect(
      providerVersionProblem(
        [
          ua(`pulumi-kubernetes/${BUILT} (linux/amd64) client-go/v0.33.3`),
          ua(`pulumi-kubernetes/${BUILT} (linux/amd64) client-go/v0.33.3`),
          ua("kube-controller-manager/v1.36.4 (linux/amd64)"),
        ],
        BUILT,
      ),
    ).toEqual({ versions: { [BUILT]: 2 } }));
  it("names a provider of another version", () =>
    expect(
      providerVersionProblem([ua(`pulumi-kubernetes/${BUILT} x`), ua("pulumi-kubernetes/4.34.2 x")], BUILT),
    ).toEqual({
      versions: { [BUILT]: 1, "4.34.2": 1 },
      problem: `the Kubernetes provider that ran reports 4.34.2 (1 requests), built ${BUILT}`,
    }));
  it("fails when the provider made no request", () =>
    expect(providerVersionProblem([ua("kubectl/v1.36.4")], BUILT).problem).toBe(
      "the audit log has no request from pulumi-kubernetes",
    ));
});

describe("builtProviderVersion", () => {
  it("is versions.env's reported version when it names the built module's commit", () =>
    expect(
      builtProviderVersion(
        { PULUMI_KUBERNETES_PROVIDER_REPORTS: BUILT },
        "v4.0.0-20260115033456-f47bc2d6f199",
      ),
    ).toBe(BUILT));
  it("refuses a reported version of another commit", () =>
    expect(() =>
      builtProviderVersion(
        { PULUMI_KUBERNETES_PROVIDER_REPORTS: BUILT },
        "v4.0.0-20260301000000-0123456789ab",
      ),
    ).toThrow(
      `versions.env says the provider reports ${BUILT}, but the module built is v4.0.0-20260301000000-0123456789ab (commit 0123456789ab)`,
    ));
  it("reads the pins from the project's versions.env", () => {
    const env = readEnvFile(path.join(__dirname, "../../../scripts/e2e/versions.env"));
    expect(env.PULUMI_KUBERNETES_PROVIDER_REPORTS).toBe(BUILT);
    expect(env.E2E_RECIPE).toBe("1");
  });
  it("parses quoted values and skips comments", () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "env-")), "v.env");
    fs.writeFileSync(f, '# c\nA=1\nB="x y"\n  # KEY=no\n');
    expect(readEnvFile(f)).toEqual({ A: "1", B: "x y" });
  });
});
