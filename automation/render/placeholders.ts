/**
 * Deterministic stand-ins for values only the cloud or the providers know, so an offline render is
 * the same on every run and every machine. Extend `OUTPUTS` / `INVOKES` when the program uses a new
 * resource type or data source whose outputs it reads.
 */
import { createHash } from "node:crypto";
import { unwrapSecrets, type InvokeAnswers, type OutputPlaceholders } from "./engine";
import { encryptKubeconfig } from "../../components/cluster/baremetal/kubeconfig";

export const PLACEHOLDER_ACCOUNT = "123456789012";
export const PLACEHOLDER_REGION = "eu-central-1";

// --- AWS (EKS, Route53, Secrets Manager): account PLACEHOLDER_ACCOUNT, region from the inputs or PLACEHOLDER_REGION.
/** A stable hex string derived from a name (ids, key UUIDs, thumbprints). */
const hexOf = (seed: string, length: number) =>
  createHash("sha256").update(seed).digest("hex").slice(0, length);
const regionOf = (inputs: Record<string, unknown>) =>
  typeof inputs.region === "string" ? inputs.region : PLACEHOLDER_REGION;
const uuidOf = (seed: string) => {
  const h = hexOf(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const nameOf = (name: string, inputs: Record<string, unknown>) =>
  typeof inputs.name === "string" ? inputs.name : name;

const AWS_OUTPUTS: Record<
  string,
  (name: string, inputs: Record<string, unknown>) => Record<string, unknown>
> = {
  "aws:eks/cluster:Cluster": (name, inputs) => {
    const region = regionOf(inputs);
    const id = hexOf(name, 32).toUpperCase();
    return {
      arn: `arn:aws:eks:${region}:${PLACEHOLDER_ACCOUNT}:cluster/${nameOf(name, inputs)}`,
      endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
      certificateAuthority: { data: "UkVOREVSLVBMQUNFSE9MREVSLUNB" },
      identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
    };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, inputs) => ({
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`,
  }),
  "aws:iam/role:Role": (name, inputs) => ({
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role/${nameOf(name, inputs)}`,
    name: nameOf(name, inputs),
  }),
  "aws:iam/user:User": (name, inputs) => ({
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user${String(inputs.path ?? "/")}${nameOf(name, inputs)}`,
    name: nameOf(name, inputs),
  }),
  "aws:iam/accessKey:AccessKey": (name) => ({ secret: `render-placeholder-secret-access-key-${name}` }),
  "aws:kms/key:Key": (name, inputs) => {
    const keyId = uuidOf(name);
    return { keyId, arn: `arn:aws:kms:${regionOf(inputs)}:${PLACEHOLDER_ACCOUNT}:key/${keyId}` };
  },
  "aws:route53/zone:Zone": (name, inputs) => {
    const zoneId = `Z${hexOf(name, 20).toUpperCase()}`;
    const n = parseInt(hexOf(name, 4), 16);
    return {
      zoneId,
      arn: `arn:aws:route53:::hostedzone/${zoneId}`,
      nameServers: [
        `ns-${n % 512}.awsdns-${n % 64}.com`,
        `ns-${(n % 512) + 512}.awsdns-${n % 64}.net`,
        `ns-${(n % 512) + 1024}.awsdns-${n % 64}.org`,
        `ns-${(n % 512) + 1536}.awsdns-${n % 64}.co.uk`,
      ],
      name: inputs.name,
    };
  },
  "aws:route53/keySigningKey:KeySigningKey": (name) => ({
    dsRecord: `${parseInt(hexOf(name, 4), 16)} 13 2 ${hexOf(name, 64).toUpperCase()}`,
  }),
  "aws:secretsmanager/secret:Secret": (name, inputs) => ({
    arn: `arn:aws:secretsmanager:${regionOf(inputs)}:${PLACEHOLDER_ACCOUNT}:secret:${nameOf(name, inputs)}-${hexOf(name, 6)}`,
  }),
};

const AWS_INVOKES: InvokeAnswers = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: PLACEHOLDER_ACCOUNT,
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user/render-placeholder`,
    userId: "AIDARENDERPLACEHOLDER",
    id: PLACEHOLDER_ACCOUNT,
  }),
  "aws:index/getRegion:getRegion": (inputs) => {
    const region = regionOf(inputs);
    return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
  },
  "aws:index/getPartition:getPartition": () => ({
    id: "aws",
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
  }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
    const region = regionOf(inputs);
    return {
      id: region,
      region,
      names: ["a", "b", "c"].map((z) => `${region}${z}`),
      zoneIds: [1, 2, 3].map((i) => `${region}-az${i}`),
      groupNames: [region],
    };
  },
  "aws:secretsmanager/getSecretVersion:getSecretVersion": (inputs) => {
    const id = String(inputs.secretId ?? "");
    return {
      id,
      secretId: id,
      arn: id.startsWith("arn:")
        ? id
        : `arn:aws:secretsmanager:${regionOf(inputs)}:${PLACEHOLDER_ACCOUNT}:secret:${id}-${hexOf(id, 6)}`,
      secretString: `render-placeholder-secret-${id}`,
      versionId: uuidOf(id),
      versionStages: ["AWSCURRENT"],
      createdDate: "2026-01-01T00:00:00Z",
    };
  },
};
// --- end AWS

const OUTPUTS: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "tls:index/privateKey:PrivateKey": (name) => ({
    publicKeyOpenssh: `ssh-ed25519 AAAA-render-placeholder-${name}`,
    privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY----- render placeholder ${name}`,
    privateKeyPem: `-----BEGIN PRIVATE KEY----- render placeholder ${name}`,
  }),
  // Bare metal: a remote command's output; the one reading the admin kubeconfig gets a kubeconfig shaped like RKE2's.
  // It prints the kubeconfig encrypted with the key on its stdin, as the real step does.
  // command:remote:CopyToRemote needs no entry: its outputs are its inputs, and the program reads none of them.
  "command:remote:Command": (name, inputs) => ({
    stdout: name.endsWith("-kubeconfig")
      ? encryptKubeconfig(
          placeholderKubeconfig(name),
          String(unwrapSecrets(inputs.stdin)),
          Buffer.alloc(8, 7),
        )
      : "",
    stderr: "",
  }),
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `render-placeholder-password-${name}` }),
  ...AWS_OUTPUTS,
};

/** What `cat /etc/rancher/rke2/rke2.yaml` prints on a server, with placeholder credentials. */
export function placeholderKubeconfig(name: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: default",
    "    cluster:",
    "      certificate-authority-data: UExBQ0VIT0xERVItQ0E=",
    "      server: https://127.0.0.1:6443",
    "contexts:",
    "  - name: default",
    "    context:",
    "      cluster: default",
    "      user: default",
    "current-context: default",
    "users:",
    "  - name: default",
    "    user:",
    "      client-certificate-data: UExBQ0VIT0xERVItQ0VSVA==",
    `      client-key-data: UExBQ0VIT0xERVItS0VZ # render placeholder for ${name}`,
    "",
  ].join("\n");
}

export const placeholders: OutputPlaceholders = (type, name, inputs) => OUTPUTS[type]?.(name, inputs) ?? {};

export const invokes: InvokeAnswers = { ...AWS_INVOKES };
