/** IAM policy document as a plain object. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
  }[];
}

/** ARN of an EKS cluster (known before the cluster exists, so trust policies can name it). */
export const eksClusterArn = (partition: string, region: string, accountId: string, clusterName: string) =>
  `arn:${partition}:eks:${region}:${accountId}:cluster/${clusterName}`;

/** Host and path of an OIDC issuer URL, as IAM condition keys use it. */
export const issuerHostPath = (issuerUrl: string) => issuerUrl.replace(/^https:\/\//, "");

/** IRSA trust: only this service account, only with the STS audience. */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuerUrl: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  const host = issuerHostPath(issuerUrl);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${host}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}
