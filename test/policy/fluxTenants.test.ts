/**
 * flux-tenants-lockdown: a stack that creates tenant credentials runs Flux locked down; and the
 * single-root-sync rule lets the tenant objects the stack creates through.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import { checkStack } from "../../automation/check";
import { fluxTenantsLockdown } from "../../policy/rules/fluxTenants";
import { stackSingleRootSync } from "../../policy/rules/stack";
import { NotApplicable, resource, stackViolations } from "./helpers";

jest.setTimeout(30_000);

const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const FIX = "set flux.install.lockdown: {} (or operator.multitenant: true in operator mode).";
const RULE = "Tenants need the multi-tenancy lockdown";
const CREDS =
  "the stack creates tenant credentials (Secret acme/acme-auth (tenant acme) and Secret globex-nf/globex-auth (tenant globex))";

const controller = (name: string, args: string[]) => ({
  kind: "Deployment",
  metadata: { name, namespace: "flux-system", labels: { "app.kubernetes.io/part-of": "flux" } },
  spec: { template: { spec: { containers: [{ name: "manager", args }] } } },
});
const LOCKED = [
  controller("kustomize-controller", [
    "--no-cross-namespace-refs=true",
    "--default-service-account=default",
    "--no-remote-bases=true",
  ]),
  controller("helm-controller", ["--no-cross-namespace-refs=true", "--default-service-account=default"]),
];

/** The bootstrap's resources with two tenants; `account` is the root Kustomization's serviceAccountName. */
function stack(opts: { account?: string; controllers?: object[]; tenants?: boolean; asChildren?: boolean }) {
  const bootstrap = resource("platform:flux:FluxBootstrap", "flux");
  const k = (type: string, name: string, props: object, dependencies: PolicyResource[] = []) =>
    resource(type, name, props as Record<string, unknown>, { parent: bootstrap, dependencies });
  const ns = k("kubernetes:core/v1:Namespace", "flux-namespace", { metadata: { name: "flux-system" } });
  const tenantLabels = (t: string) => ({
    "app.kubernetes.io/managed-by": "pulumi",
    "toolkit.fluxcd.io/tenant": t,
  });
  const tenantNs = (t: string, name: string) =>
    k("kubernetes:core/v1:Namespace", `flux-tenant-${t}`, {
      metadata: { name, labels: { "toolkit.fluxcd.io/tenant": t } },
    });
  const tenantSecret = (t: string, namespace: string, on: PolicyResource) =>
    k(
      "kubernetes:core/v1:Secret",
      `flux-tenant-${t}-auth`,
      { metadata: { name: `${t}-auth`, namespace, labels: tenantLabels(t) }, stringData: "[secret]" },
      [on],
    );
  const acmeNs = tenantNs("acme", "acme");
  const globexNs = tenantNs("globex", "globex-nf");
  const tenants =
    opts.tenants === false
      ? []
      : [
          acmeNs,
          tenantSecret("acme", "acme", acmeNs),
          globexNs,
          tenantSecret("globex", "globex-nf", globexNs),
        ];
  const objs = opts.controllers ?? LOCKED;
  const install = k(GROUP, "flux-install", opts.asChildren ? {} : { objs }, [ns, ...tenants]);
  const children = opts.asChildren
    ? objs.map((o) =>
        resource(
          DEPLOYMENT,
          `flux-system/${String((o as { metadata: { name: string } }).metadata.name)}`,
          o as Record<string, unknown>,
          {
            parent: install,
          },
        ),
      )
    : [];
  const sync = k(
    "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
    "flux-sync",
    {
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: { prune: true, ...(opts.account ? { serviceAccountName: opts.account } : {}) },
    },
    [install],
  );
  return [bootstrap, ns, ...tenants, install, ...children, sync];
}

describe("flux-tenants-lockdown", () => {
  it("does not apply to a stack without tenants", async () => {
    await expect(stackViolations(fluxTenantsLockdown, stack({ tenants: false }))).rejects.toThrow(
      new NotApplicable("the stack has no tenants (flux.tenants)"),
    );
  });

  it("passes tenants on a locked-down Flux, as the render and as the engine show the install", async () => {
    expect(await stackViolations(fluxTenantsLockdown, stack({ account: "kustomize-controller" }))).toEqual(
      [],
    );
    expect(
      await stackViolations(
        fluxTenantsLockdown,
        stack({ account: "kustomize-controller", asChildren: true }),
      ),
    ).toEqual([]);
  });

  it("fails tenants when the root Kustomization impersonates no service account (no lockdown)", async () => {
    expect(await stackViolations(fluxTenantsLockdown, stack({}))).toEqual([
      {
        message: `${RULE}: ${CREDS}, but Kustomization flux-system/flux-system impersonates no service account, so Flux runs without the lockdown and a tenant's objects would be applied with the controllers' own rights; ${FIX}`,
      },
    ]);
  });

  it("names each controller flag missing, once whether the engine shows the objects in the group or as its children", async () => {
    const controllers = [
      controller("kustomize-controller", ["--default-service-account=default"]),
      LOCKED[1],
    ];
    const message = `${RULE}: ${CREDS}, but Deployment flux-system/kustomize-controller runs without --no-cross-namespace-refs, --no-remote-bases; ${FIX}`;
    expect(
      await stackViolations(fluxTenantsLockdown, stack({ account: "kustomize-controller", controllers })),
    ).toEqual([{ message, resource: "flux-install" }]);
    expect(
      await stackViolations(
        fluxTenantsLockdown,
        stack({ account: "kustomize-controller", controllers, asChildren: true }),
      ),
    ).toEqual([{ message, resource: "flux-system/kustomize-controller" }]);
  });
});

describe("stack-single-root-sync with tenants", () => {
  it("lets the tenant Namespaces and Secrets through: the tenants' sources and Kustomizations come from Git", async () => {
    expect(await stackViolations(stackSingleRootSync, stack({ account: "kustomize-controller" }))).toEqual(
      [],
    );
  });
});

describe("offline check of a stack with tenants", () => {
  const fixture = path.join(__dirname, "..", "fixtures", "policy");

  it("fails without the lockdown (mandatory in dev too) and passes with it", async () => {
    const without = await checkStack(fixture, "tenants");
    expect(without.violations.map((v) => [v.level, v.policy, v.message])).toEqual([
      [
        "mandatory",
        "flux-tenants-lockdown",
        `${RULE}: ${CREDS}, but Kustomization flux-system/flux-system impersonates no service account, so Flux runs without the lockdown and a tenant's objects would be applied with the controllers' own rights; ${FIX}`,
      ],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-policy-"));
    try {
      fs.cpSync(fixture, dir, { recursive: true });
      const file = path.join(dir, "Pulumi.tenants.yaml");
      const text = fs.readFileSync(file, "utf8");
      fs.writeFileSync(
        file,
        text.replace("  platform:flux:\n", "  platform:flux:\n    install:\n      lockdown: {}\n"),
      );
      const locked = await checkStack(dir, "tenants");
      expect(locked.violations).toEqual([]);
      expect(locked.passed).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
