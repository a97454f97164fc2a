/** gitops:new-tenant's options (automation/gitops/tenants/options.ts) and its files for OCI and Helm OCI vendors. */
import { parse } from "yaml";
import {
  renderTenant,
  tenantSpec,
  TenantError,
  withTenantsListed,
  recordedTenantCommand,
  type TenantOptions,
} from "../../../automation/gitops/tenants";

const GIT: TenantOptions = {
  name: "vendor-a",
  cluster: "local",
  source: "git",
  url: "ssh://git@git.vendor-a.example/nf/smf.git",
  ref: "tag:v1.0.0",
};
const refused = (...problems: string[]) =>
  new TenantError(`cannot scaffold tenant vendor-a:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

describe("tenantSpec", () => {
  it("takes a Git vendor with defaults", () => {
    expect(tenantSpec(GIT)).toEqual({
      name: "vendor-a",
      namespaces: ["vendor-a"],
      clusters: ["local"],
      source: "git",
      url: "ssh://git@git.vendor-a.example/nf/smf.git",
      ref: { kind: "tag", value: "v1.0.0" },
      path: "./",
      quota: { cpu: "4", memory: "8Gi", pods: "50" },
      credentials: "sops",
    });
  });

  it("takes lists, a semver range, a path and quotas", () => {
    expect(
      tenantSpec({
        ...GIT,
        namespaces: "vendor-a, vendor-a-nf",
        cluster: "local,de-dev",
        source: "oci",
        url: "oci://registry.vendor-a.example/manifests/smf",
        ref: "semver:>=1.0.0 <2.0.0",
        path: "./deploy/prod",
        "quota-cpu": "500m",
        "quota-memory": "1.5Gi",
        "quota-pods": "10",
        credentials: "external-secrets",
      }),
    ).toEqual({
      name: "vendor-a",
      namespaces: ["vendor-a", "vendor-a-nf"],
      clusters: ["local", "de-dev"],
      source: "oci",
      url: "oci://registry.vendor-a.example/manifests/smf",
      ref: { kind: "semver", value: ">=1.0.0 <2.0.0" },
      path: "./deploy/prod",
      quota: { cpu: "500m", memory: "1.5Gi", pods: "10" },
      credentials: "external-secrets",
    });
  });

  it.each<[Partial<TenantOptions>, string[]]>([
    [{ name: "Vendor_A" }, []],
    [
      { namespaces: "vendor-a,default,vendor-a" },
      [
        "--namespaces: default is the cluster's or Flux's own namespace: a tenant gets namespaces of its own, e.g. vendor-a-nf",
        "--namespaces lists vendor-a twice: list each namespace once",
      ],
    ],
    [
      { cluster: "../../etc" },
      [
        `--cluster "../../etc": must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are; it names clusters/<platform>/ in the repository`,
      ],
    ],
    [{ source: "svn" }, [`--source "svn": one of git, oci, helm-oci`]],
    [
      { url: "git@github.com:vendor/smf.git" },
      [
        "--url git@github.com:vendor/smf.git is the scp-like form, which Flux does not accept: write ssh://git@github.com/vendor/smf.git",
      ],
    ],
    [
      { url: "https://user:tok@git.vendor-a.example/smf.git" },
      [
        "--url https://***@git.vendor-a.example/smf.git must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in the tenant's Secret (an SSH key; see docs/tenants.md)",
      ],
    ],
    [
      { url: "https://git.vendor-a.example/smf.git" },
      [
        "--url https://git.vendor-a.example/smf.git is an https:// URL: a tenant's Git source is read with its own SSH key, write its ssh:// URL",
      ],
    ],
    [
      { ref: "v1.0.0" },
      [
        `--ref "v1.0.0": write one of tag:<tag>, semver:<range>, branch:<branch>, commit:<commit>, e.g. tag:v1.0.0`,
      ],
    ],
    [
      { ref: "digest:sha256:00" },
      [
        `--ref "digest:sha256:00": a git source follows tag:<tag>, semver:<range>, branch:<branch>, commit:<commit>, e.g. tag:v1.0.0`,
      ],
    ],
    [
      { ref: "tag:v1..0" },
      [
        `--ref tag:…: "v1..0" is not a ref Git accepts (git check-ref-format): it contains "..": write one such as v1.0.0`,
      ],
    ],
    [
      { ref: "semver:>2.0.0 <1.0.0" },
      [
        `--ref semver:>2.0.0 <1.0.0: ">2.0.0 <1.0.0" matches no version at all (its bounds exclude each other): Flux would never find a tag; write e.g. ">=1.0.0 <2.0.0"`,
      ],
    ],
    [{ ref: "commit:abc" }, [`--ref "commit:abc": a commit is its full 40-hex-digit SHA-1, in lower case`]],
    [
      { path: "../platform" },
      [
        `--path "../platform" must be a folder of the vendor's artifact written ./ or ./some/folder (letters, digits, '.', '_', '-'; no ..)`,
      ],
    ],
    [{ chart: "amf" }, ["--chart is for a helm-oci source: a git source takes --ref and --path"]],
    [{ "quota-cpu": "0" }, [`--quota-cpu "0": a Kubernetes quantity above zero, e.g. 4 or 500m`]],
    [
      { "quota-memory": "8GB" },
      [`--quota-memory "8GB": a Kubernetes quantity above zero, e.g. 8Gi or 512Mi`],
    ],
    [{ "quota-pods": "-1" }, [`--quota-pods "-1": a whole number of pods, e.g. 50`]],
    [{ credentials: "vault" }, [`--credentials "vault": one of sops, external-secrets, stack`]],
  ])("refuses %j", (bad, problems) => {
    if (bad.name === "Vendor_A")
      expect(() => tenantSpec({ ...GIT, ...bad })).toThrow(
        new TenantError(
          `cannot scaffold tenant Vendor_A:\n  - --name "Vendor_A": must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are`,
        ),
      );
    else expect(() => tenantSpec({ ...GIT, ...bad })).toThrow(refused(...problems));
  });

  it("says what a Helm OCI vendor needs, and what it does not take", () => {
    expect(() =>
      tenantSpec({ ...GIT, source: "helm-oci", url: "oci://registry.vendor-a.example/charts", path: "./x" }),
    ).toThrow(
      refused(
        "--ref is for git and oci sources: a helm-oci source takes --chart and --chart-version",
        "--path is for git and oci sources: a helm-oci source takes --chart and --chart-version",
        "--source helm-oci needs --chart <name> (the chart in the registry)",
        '--source helm-oci needs --chart-version <version or range>, e.g. 1.2.0 or ">=1.0.0 <2.0.0"',
      ),
    );
  });

  it("names every missing option, and refuses a value of more than one line before anything else", () => {
    expect(() => tenantSpec({})).toThrow(
      new TenantError(
        "cannot scaffold tenant (no --name):\n  - missing --name, --cluster, --source, --url: see npm run gitops:new-tenant -- --help",
      ),
    );
    expect(() => tenantSpec({ ...GIT, ref: "tag:v1\napiVersion: v1" })).toThrow(
      new TenantError(
        "cannot scaffold tenant:\n  - --ref: the value holds a newline or another control character: give it on one line",
      ),
    );
  });
});

describe("renderTenant", () => {
  it("writes an OCI vendor's source and Kustomization, and a Helm OCI vendor's HelmRelease", () => {
    const oci = renderTenant({
      spec: tenantSpec({
        ...GIT,
        source: "oci",
        url: "oci://r.example/smf",
        ref: "digest:sha256:" + "a".repeat(64),
      }),
      rootKinds: { local: "GitRepository" },
    });
    const byPath = Object.fromEntries(
      oci
        .filter((f) => /(source|sync)\.yaml$/.test(f.path))
        .map((f) => [f.path, parse(f.content) as unknown]),
    );
    const labels = { "toolkit.fluxcd.io/tenant": "vendor-a" };
    expect(byPath["tenants/vendor-a/source.yaml"]).toEqual({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "vendor-a", namespace: "vendor-a", labels },
      spec: {
        interval: "5m",
        url: "oci://r.example/smf",
        ref: { digest: `sha256:${"a".repeat(64)}` },
        secretRef: { name: "vendor-a-auth" },
      },
    });
    expect(byPath["tenants/vendor-a/sync.yaml"]).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "vendor-a", namespace: "vendor-a", labels },
      spec: {
        interval: "10m",
        retryInterval: "1m",
        timeout: "5m",
        path: "./",
        prune: true,
        sourceRef: { kind: "OCIRepository", name: "vendor-a" },
        serviceAccountName: "vendor-a",
      },
    });
    const helm = renderTenant({
      spec: tenantSpec({
        ...GIT,
        ref: undefined,
        source: "helm-oci",
        url: "oci://r.example/charts",
        chart: "amf",
        "chart-version": ">=2.0.0 <3.0.0",
      }),
      rootKinds: {},
    });
    expect(parse(helm.find((f) => f.path === "tenants/vendor-a/sync.yaml")!.content)).toEqual({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "amf", namespace: "vendor-a", labels },
      spec: {
        interval: "10m",
        timeout: "5m",
        serviceAccountName: "vendor-a",
        chart: {
          spec: {
            chart: "amf",
            version: ">=2.0.0 <3.0.0",
            sourceRef: { kind: "HelmRepository", name: "vendor-a" },
          },
        },
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
      },
    });
  });
});

describe("withTenantsListed and the recorded command", () => {
  it("adds tenants.yaml to a platform's resources once, comments kept", () => {
    const text =
      "# platform x\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - apps.yaml # apps\n";
    expect(withTenantsListed("k.yaml", text)).toBe(`${text}  - tenants.yaml\n`);
    expect(withTenantsListed("k.yaml", `${text}  - ./tenants.yaml\n`)).toBeUndefined();
    expect(withTenantsListed("k.yaml", "kind: Kustomization\n")).toBe(
      "kind: Kustomization\nresources:\n  - tenants.yaml\n",
    );
    expect(() => withTenantsListed("k.yaml", "resources: apps.yaml\n")).toThrow(
      new TenantError("k.yaml: resources is not a list: fix the file first (npm run gitops:lint)"),
    );
  });

  it("records the command without --repo, --dry-run and --force, quoted for a shell", () => {
    expect(
      recordedTenantCommand([
        "--name",
        "a",
        "--repo",
        "/x",
        "--ref",
        "semver:>=1.0.0 <2.0.0",
        "--force",
        "--dry-run",
      ]),
    ).toBe("npm run gitops:new-tenant -- --name a --ref 'semver:>=1.0.0 <2.0.0'");
  });
});
