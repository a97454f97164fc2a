/**
 * Values of the install the controllers are started with: the cluster domain. (The image registry is
 * checked with the other URLs, in credentials.ts.)
 */
import { dnsNameProblem, quoted } from "../../k8sNames";
import type { Problem } from "../../problems";
import type { Check } from "./check";

export const checkInstallValues: Check = ({ install }) => {
  const out: Problem[] = [];
  const domain = dnsNameProblem(install.clusterDomain);
  if (domain)
    out.push({
      path: "install.clusterDomain",
      message: `${quoted(install.clusterDomain)} ${domain}: write the cluster's DNS domain, e.g. cluster.local`,
    });
  return out;
};
