import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../aws/sdk";
import { DEFAULTS } from "./args";
import type { ResolvedEksClusterArgs } from "./resolve";
import { accessPolicyArn } from "./iam";

/** `accessScope` of an access policy association. */
export const accessScope = (namespaces?: string[]) =>
  namespaces && namespaces.length ? { type: "namespace", namespaces } : { type: "cluster" };

export /** Access entries keyed by their config name, each with its access policies keyed by policy name. */
function createAccessEntries(
  name: string,
  a: ResolvedEksClusterArgs,
  cluster: aws.eks.Cluster,
  child: { parent: pulumi.Resource; provider: aws.Provider },
  tags: (n: string) => Record<string, string>,
): pulumi.Resource[] {
  const out: pulumi.Resource[] = [];
  for (const [key, entry] of Object.entries(a.accessEntries)) {
    const resource = new aws.eks.AccessEntry(
      `${name}-access-${key}`,
      {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        type: "STANDARD",
        ...(entry.kubernetesGroups?.length ? { kubernetesGroups: entry.kubernetesGroups } : {}),
        tags: tags(key),
      },
      child,
    );
    out.push(resource);
    for (const [policy, scope] of Object.entries(entry.policies ?? DEFAULTS.accessPolicies)) {
      out.push(
        new aws.eks.AccessPolicyAssociation(
          `${name}-access-${key}-${policy}`,
          {
            clusterName: cluster.name,
            principalArn: entry.principalArn,
            policyArn: pulumi.output(a.aws.partition).apply((p) => accessPolicyArn(p, policy)),
            accessScope: accessScope(scope.namespaces),
          },
          { ...child, dependsOn: [resource] },
        ),
      );
    }
  }
  return out;
}
