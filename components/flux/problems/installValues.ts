/** Values of the install the controllers are started with: the image registry and the cluster domain. */
import { dnsNameProblem, quoted } from "../../k8sNames";
import type { Problem } from "../../problems";
import { redactUrl, urlProblems } from "../../url";
import type { Check } from "./check";

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** An image repository prefix: host[:port][/path], lowercase, as image references take it. */
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/;

export const checkInstallValues: Check = ({ install }) => {
  const out: Problem[] = [];
  const r = install.registry;
  // The one URL check (no credentials, TLS) on the registry as the nodes will reach it.
  const url = urlProblems(SCHEME.test(r) ? r : `https://${r}`, {
    schemes: ["https"],
    credentialsIn: "install.imagePullSecret (a Secret)",
  });
  for (const p of url) out.push({ path: "install.registry", message: `${quoted(redactUrl(r))} ${p}` });
  if (SCHEME.test(r))
    out.push({
      path: "install.registry",
      message: `${quoted(redactUrl(r))} must be written without a scheme, e.g. ghcr.io/fluxcd: images are <registry>/<controller>:<tag> and are pulled over TLS`,
    });
  else if (!url.length && !REGISTRY.test(r))
    out.push({
      path: "install.registry",
      message: `${quoted(r)} is not an image registry: write host[:port]/path in lowercase, e.g. registry.example.com/fluxcd`,
    });
  const domain = dnsNameProblem(install.clusterDomain);
  if (domain)
    out.push({
      path: "install.clusterDomain",
      message: `${quoted(install.clusterDomain)} ${domain}: write the cluster's DNS domain, e.g. cluster.local`,
    });
  return out;
};
