/**
 * The offline check end to end: the real program rendered offline, the pack's rules run over it.
 * A deliberately non-compliant stack fails and lists its violations; the shipped stacks pass.
 */
import * as path from "node:path";
import {
  checkRender,
  checkStack,
  formatReport,
  POLICY_CONFIG_DIR,
  PolicyConfigError,
  runPolicies,
  toPolicyResources,
} from "../../automation/check";
import { renderStack, type RenderResult } from "../../automation/render";
import { eksNodeSubnetsPrivate } from "../../policy/rules/eks";
import { check } from "../../cli/check";
import { runCli } from "../unit/cli/run";

const root = path.join(__dirname, "..", "..");
const fixture = path.join(root, "test", "fixtures", "policy");

// Renders load @pulumi/aws on first use; a busy machine can take longer than the default 5 s.
jest.setTimeout(30_000);

describe("offline check of a non-compliant stack", () => {
  it("fails under the prod config, listing every violation with its resource", async () => {
    const r = await checkStack(fixture, "noncompliant");
    expect(r.policyConfig).toBe(path.join(POLICY_CONFIG_DIR, "prod.json"));
    expect(r.passed).toBe(false);
    expect(r.violations.map((v) => [v.level, v.policy, v.resource?.name])).toEqual([
      ["mandatory", "flux-root-source-ref", "flux-source"],
      ["mandatory", "flux-git-url-scheme", "flux-source"],
      ["mandatory", "flux-root-kustomization", "flux-sync"],
      ["mandatory", "flux-version-pinned", "flux-install"],
      ["mandatory", "flux-network-policies", "flux-install"],
      ["mandatory", "flux-tenant-lockdown", "flux-install"],
      ["mandatory", "k8s-configmap-no-secrets", "flux-cluster-vars"],
    ]);
    const report = formatReport(r, root);
    expect(report.split("\n").slice(0, 5)).toEqual([
      "check noncompliant (environment prod, policy config policy/config/prod.json): 29 policies over 9 resources",
      "mandatory: 7",
      "  - [flux-root-source-ref, high] flux-source (kubernetes:source.toolkit.fluxcd.io/v1:GitRepository)",
      '      The root source must follow a tag or a semver range: GitRepository flux-system/flux-system follows branch main; set flux.source.ref to a release tag (tag: v1.2.0) or a semver range (semver: ">=1.0.0 <2.0.0"), so rollback is moving back to a tag.',
      "  - [flux-git-url-scheme, high] flux-source (kubernetes:source.toolkit.fluxcd.io/v1:GitRepository)",
    ]);
    expect(report.split("\n").slice(-2)).toEqual(["advisory: 0", "FAILED: 7 mandatory violations"]);
  });

  it("reports the same findings at the dev config's levels", async () => {
    const r = await checkStack(fixture, "noncompliant", {
      policyConfig: path.join(POLICY_CONFIG_DIR, "dev.json"),
    });
    expect(r.violations.filter((v) => v.level === "mandatory").map((v) => v.policy)).toEqual([
      "flux-git-url-scheme",
      "flux-version-pinned",
      "k8s-configmap-no-secrets",
    ]);
    expect(r.violations.filter((v) => v.level === "advisory").map((v) => v.policy)).toEqual([
      "flux-root-source-ref",
      "flux-root-kustomization",
      "flux-network-policies",
      "flux-tenant-lockdown",
    ]);
  });
});

describe("offline check of the secure EKS setup", () => {
  it("passes the prod config clean: KMS SOPS, ECR root, scoped roles, lockdown", async () => {
    const r = await checkStack(path.join(root, "test", "fixtures", "project"), "eks-secure");
    expect(r.policyConfig).toBe(path.join(POLICY_CONFIG_DIR, "prod.json"));
    expect(r.violations).toEqual([]);
    expect(r.passed).toBe(true);
  });
});

describe("offline check configuration", () => {
  it("checks an explicit policy config before rendering", async () => {
    await expect(
      checkStack(fixture, "no-such-stack", { policyConfig: path.join(fixture, "Pulumi.yaml") }),
    ).rejects.toThrow(PolicyConfigError);
  });
});

describe("offline check of a compliant operator-mode stack", () => {
  it("passes clean: FluxInstance version, operator chart, SOPS decryption and the sync's dependencies all fit", async () => {
    const r = await checkStack(fixture, "compliant");
    expect(r.resources).toBe(13);
    expect(r.violations).toEqual([]);
  });
});

describe("offline check of the shipped stacks", () => {
  // dev (an EKS platform, ~80 resources) is rendered once for the tests that need it.
  let dev: RenderResult;
  beforeAll(async () => {
    dev = await renderStack(root, "dev");
  });

  it("dev passes with at most advisory findings", async () => {
    const r = await checkRender(dev);
    expect(r.policyConfig).toBe(path.join(POLICY_CONFIG_DIR, "dev.json"));
    expect(r.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it("dev's node groups are linked to their subnets offline, so a public subnet would be caught", async () => {
    const resources = toPolicyResources(dev.resources);
    expect(await runPolicies(resources, [eksNodeSubnetsPrivate], {})).toEqual([]);
    const subnet = resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.name.includes("private"));
    if (!subnet) throw new Error("dev has no private subnet");
    subnet.props = { ...subnet.props, mapPublicIpOnLaunch: true };
    const found = await runPolicies(resources, [eksNodeSubnetsPrivate], {});
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.every((v) =>
        v.message.includes(`uses subnet ${subnet.name}, which sets mapPublicIpOnLaunch true`),
      ),
    ).toBe(true);
  });

  it("prod passes clean", async () => {
    const r = await checkStack(root, "prod");
    expect(r.policyConfig).toBe(path.join(POLICY_CONFIG_DIR, "prod.json"));
    expect(r.violations).toEqual([]);
    expect(formatReport(r, root).split("\n").slice(-3)).toEqual(["mandatory: 0", "advisory: 0", "passed"]);
  });

  it("local (a dev platform following a branch) passes with the branch as an advisory finding", async () => {
    const r = await checkStack(root, "local");
    expect(r.violations.map((v) => [v.level, v.policy])).toEqual([["advisory", "flux-root-source-ref"]]);
    expect(r.passed).toBe(true);
  });
});

describe("npm run check", () => {
  it("returns 1 on a mandatory violation and prints JSON with --json", async () => {
    const failed = await runCli(check, ["noncompliant", "--project", fixture, "--json"]);
    expect(failed.code).toBe(1);
    const out = JSON.parse(failed.out) as { passed: boolean; violations: unknown[] };
    expect(out.passed).toBe(false);
    expect(out.violations).toHaveLength(7);
    const passed = await runCli(check, ["compliant", "--project", fixture]);
    expect(passed.code).toBe(0);
    expect(passed.out.split("\n").pop()).toBe("passed");
  });

  it("rejects a wrong number of arguments with exit 2 and the usage", async () => {
    const r = await runCli(check, []);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").slice(0, 3)).toEqual([
      "missing <stack>",
      "",
      "usage: npm run check -- <stack> [options]",
    ]);
  });
});
