// npm run gitops:new-tenant -- --name <tenant> --cluster <platform>[,<platform>] --source git|oci|helm-oci --url <url> ... (see --help)
import * as path from "node:path";
import { existingDir } from "../automation/cli/args";
import { displayPath } from "../automation/render/output";
import { start, type Cli } from "./common";

export const gitopsNewTenant: Cli = {
  spec: {
    name: "gitops:new-tenant",
    summary:
      "Onboard a network-function vendor as a Flux tenant: tenants/<tenant>/ (its namespaces, ServiceAccount <tenant> bound to ClusterRole admin in those namespaces only, ResourceQuota, LimitRange, default-deny NetworkPolicy, its source with the credential Secret <tenant>-auth, and a Kustomization or HelmRelease that impersonates <tenant>) and clusters/<platform>/tenants/<tenant>.yaml for each platform; every value is checked first.",
    options: {
      name: { type: "string", value: "<tenant>", description: "the tenant (a DNS label)", required: true },
      cluster: {
        type: "string",
        value: "<platforms>",
        description: "the platforms that include it, comma-separated (clusters/<platform>/ must exist)",
        required: true,
      },
      source: {
        type: "string",
        value: "git|oci|helm-oci",
        description:
          "the vendor's delivery: a Git repository, an OCI artifact of manifests, or a Helm OCI chart",
        required: true,
      },
      url: {
        type: "string",
        value: "<url>",
        description: "ssh://… for git, oci://… for oci and helm-oci (never a credential in it)",
        required: true,
      },
      ref: {
        type: "string",
        value: "<kind>:<value>",
        description:
          "git and oci: what to follow, tag:v1.0.0, semver:>=1.0.0, branch:main or commit:<sha> (git), digest:sha256:… (oci)",
      },
      path: {
        type: "string",
        value: "<./dir>",
        description: "git and oci: the folder of the vendor's tree to apply",
        default: "./",
      },
      chart: { type: "string", value: "<name>", description: "helm-oci: the chart (names the HelmRelease)" },
      "chart-version": {
        type: "string",
        value: "<version>",
        description: "helm-oci: the chart version, or a semver range such as >=1.0.0 <2.0.0",
      },
      namespaces: {
        type: "string",
        value: "<namespaces>",
        description:
          "the tenant's namespaces, comma-separated; the first holds its source, credential and reconciler",
        default: "<tenant>",
      },
      credentials: {
        type: "string",
        value: "<from>",
        description:
          "where Secret <tenant>-auth comes from: sops|external-secrets|stack, SOPS-encrypted in tenants/<tenant>/ (decrypted with sops-age), an ExternalSecret of the platform's secrets (key tenants/<tenant>), or flux.tenants in the stack file",
        default: "sops",
      },
      "quota-cpu": {
        type: "string",
        value: "<cpu>",
        description: "CPU requests per namespace (limits: twice)",
        default: "4",
      },
      "quota-memory": {
        type: "string",
        value: "<quantity>",
        description: "memory requests per namespace (limits: twice)",
        default: "8Gi",
      },
      "quota-pods": { type: "string", value: "<n>", description: "pods per namespace", default: "50" },
      repo: { type: "string", value: "<dir>", description: "the fleet repository", default: "gitops" },
      "dry-run": { type: "boolean", description: "print the files instead of writing them" },
      force: { type: "boolean", description: "overwrite the tenant's files (e.g. to add a platform)" },
    },
  },
  async run({ values, argv }, io) {
    const tenants = await import("../automation/gitops/tenants");
    const gitops = await import("../automation/gitops");
    const str = (k: string) => values[k] as string | undefined;
    const repoDir = path.resolve(existingDir(str("repo") ?? "gitops", "--repo", "fleet repository folder"));
    const files = tenants.planTenant({
      repoDir,
      options: {
        name: str("name"),
        namespaces: str("namespaces"),
        cluster: str("cluster"),
        source: str("source"),
        url: str("url"),
        ref: str("ref"),
        path: str("path"),
        chart: str("chart"),
        "chart-version": str("chart-version"),
        "quota-cpu": str("quota-cpu"),
        "quota-memory": str("quota-memory"),
        "quota-pods": str("quota-pods"),
        credentials: str("credentials"),
      },
      force: values.force === true,
      command: tenants.recordedTenantCommand(argv),
    });
    for (const f of files) {
      if (values["dry-run"]) {
        io.out(`--- ${f.path}\n${f.content}`);
        continue;
      }
      gitops.writeRepoFile(repoDir, f.path, f.content, f.overwrite);
      io.out(`wrote ${displayPath(path.join(repoDir, f.path))}`);
    }
    if (!values["dry-run"]) {
      const name = str("name");
      const credentials = str("credentials") ?? "sops";
      if (credentials === "sops")
        io.out(
          `next: add the vendor's credential as tenants/${name}/auth.sops.yaml (Secret ${name}-auth, SOPS-encrypted) and list it in tenants/${name}/kustomization.yaml (docs/tenants.md)`,
        );
      io.out("check it with: npm run gitops:lint");
    }
    return 0;
  },
};

if (require.main === module) start(gitopsNewTenant);
