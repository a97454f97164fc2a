import {
  findCycles,
  fleetTreeMermaid,
  missingClusterVars,
  plaintextSecret,
} from "../../../automation/gitops";
import { parseManifests } from "../../../automation/gitops/shared/manifests";
import { SHIPPED } from "./helpers";

describe("fleetTreeMermaid", () => {
  it("draws source → root → layers → slices with dependsOn edges", async () => {
    expect(await fleetTreeMermaid(SHIPPED, "local", "./clusters/local")).toBe(`# Flux tree of platform local

Root Kustomization path \`./clusters/local\`. Solid arrows: what applies what; dashed: \`dependsOn\`; hexagons: slice instances (health-checked Slices).

\`\`\`mermaid
flowchart TD
  src[("GitRepository flux-system")]
  src --> k_flux_system_flux_system
  k_flux_system_flux_system["Kustomization flux-system<br/>./clusters/local"]
  k_flux_system_flux_system --> k_flux_system_apps
  k_flux_system_flux_system --> k_flux_system_slices
  k_flux_system_flux_system --> k_flux_system_network_functions
  k_flux_system_apps["Kustomization apps<br/>./apps/base"]
  k_flux_system_slices["Kustomization slices<br/>./clusters/local/slices"]
  k_flux_system_slices --> k_flux_system_slice_1_def922
  k_flux_system_network_functions["Kustomization network-functions<br/>./clusters/local/network-functions"]
  k_flux_system_slice_1_def922{{"Kustomization slice-1-def922<br/>./catalog/slices/embb"}}
  k_flux_system_slices -. dependsOn .-> k_flux_system_apps
  k_flux_system_network_functions -. dependsOn .-> k_flux_system_apps
  k_flux_system_slice_1_def922 -. dependsOn .-> k_flux_system_apps
\`\`\`
`);
  });
});

describe("missingClusterVars", () => {
  // de-dev's root is an OCI artifact (Pulumi.dev.yaml): its Kustomizations pull from OCIRepository flux-system.
  const OCI = { rootSourceKind: "OCIRepository" as const };
  const platform = {
    PLATFORM_NAME: "de-dev",
    PLATFORM_ENVIRONMENT: "dev",
    PLATFORM_OWNER: "t",
    PLATFORM_ORGANIZATION: "o",
    CLUSTER_NAME: "de-dev",
    CLUSTER_KIND: "eks",
    CLUSTER_DOMAIN: "cluster.local",
    FLUX_VERSION: "2.9.4",
  };
  const aws = {
    AWS_REGION: "eu-central-1",
    DNS_ZONE_NAME: "dev.de.acme.example",
    DNS_ZONE_ID: "Z0123456789",
    EXTERNAL_DNS_OWNER_ID: "de-dev",
    EXTERNAL_DNS_ROLE_ARN: "arn:aws:iam::123456789012:role/de-dev-external-dns",
    CERT_MANAGER_ROLE_ARN: "arn:aws:iam::123456789012:role/de-dev-cert-manager",
    SECRETS_PREFIX: "acme/de-dev/",
    ESO_ROLE_ARN: "arn:aws:iam::123456789012:role/de-dev-eso",
  };
  const charts = {
    FLUX_CHARTS_URL: "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts",
    FLUX_CHARTS_PROVIDER: "aws",
  };

  it("is empty when cluster-vars cover the tree", async () => {
    expect(
      await missingClusterVars(SHIPPED, "./clusters/local", { ...platform, PLATFORM_NAME: "local" }),
    ).toEqual([]);
    expect(
      await missingClusterVars(SHIPPED, "./clusters/de-dev", { ...platform, ...aws, ...charts }, OCI),
    ).toEqual([]);
  });

  it("names each variable without a value, with file and line", async () => {
    const withoutZoneId = Object.fromEntries(Object.entries(aws).filter(([k]) => k !== "DNS_ZONE_ID"));
    expect(
      await missingClusterVars(
        SHIPPED,
        "./clusters/de-dev",
        { ...platform, ...withoutZoneId, ...charts },
        OCI,
      ),
    ).toEqual([
      {
        variable: "DNS_ZONE_ID",
        file: "infrastructure/controllers/external-dns.yaml",
        line: 48,
        message:
          "${DNS_ZONE_ID} has no value: Kustomization flux-system/infra-controllers substitutes from ConfigMap cluster-vars and none has DNS_ZONE_ID; add it there or give it a default (${DNS_ZONE_ID:=value})",
      },
      {
        variable: "DNS_ZONE_ID",
        file: "infrastructure/configs/cluster-issuer.yaml",
        line: 20,
        message:
          "${DNS_ZONE_ID} has no value: Kustomization flux-system/infra-configs substitutes from ConfigMap cluster-vars and none has DNS_ZONE_ID; add it there or give it a default (${DNS_ZONE_ID:=value})",
      },
    ]);
  });

  it("covers the AWS and chart keys of the dev tree", async () => {
    const missing = await missingClusterVars(SHIPPED, "./clusters/de-dev", platform, OCI);
    expect([...new Set(missing.map((m) => m.variable))].sort()).toEqual(
      [...Object.keys(aws), ...Object.keys(charts)].sort(),
    );
  });

  it("walks nothing of de-dev's layers when told its root is a GitRepository (they pull from OCIRepository flux-system)", async () => {
    expect(await missingClusterVars(SHIPPED, "./clusters/de-dev", platform)).toEqual([]);
  });
});

describe("findCycles", () => {
  it.each([
    ["none", { a: ["b"], b: [] }, []],
    ["self", { a: ["a"] }, [["a", "a"]]],
    ["two, reported once from the smallest", { b: ["a"], a: ["b"] }, [["a", "b", "a"]]],
    ["dangling edges ignored", { a: ["zzz"] }, []],
    [
      "two cycles",
      { a: ["b"], b: ["a"], c: ["d"], d: ["c"] },
      [
        ["a", "b", "a"],
        ["c", "d", "c"],
      ],
    ],
  ])("%s", (_name, graph, expected) => {
    expect(findCycles(new Map(Object.entries(graph)))).toEqual(expected);
  });
});

describe("plaintextSecret", () => {
  const secret = (body: string) =>
    parseManifests("s.yaml", `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n${body}`).docs[0];
  const sops = "sops:\n  age:\n    - recipient: age1xyz\n  mac: ENC[AES256_GCM,data:abc,type:str]\n";

  it.each([
    [
      "SOPS-encrypted values",
      `data:\n  token: ENC[AES256_GCM,data:Zm9v,iv:x,tag:y,type:str]\n${sops}`,
      undefined,
    ],
    [
      "no sops block",
      "stringData:\n  token: hunter2\n",
      "s.yaml:1: Secret s is not SOPS-encrypted: encrypt it with `sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place s.yaml` (only the values are encrypted, metadata stays readable)",
    ],
    [
      "a plaintext value next to a sops block",
      `data:\n  token: ENC[AES256_GCM,data:Zm9v,iv:x,tag:y,type:str]\n  other: cGxhaW4=\n${sops}`,
      "s.yaml:7: Secret s: data.other is in plain text next to a sops block: re-encrypt the file with sops",
    ],
  ])("%s", (_name, body, expected) => {
    const f = plaintextSecret(secret(body));
    expect(f && `${f.file}:${f.line}: ${f.message}`).toBe(expected);
  });
});
