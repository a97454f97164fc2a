/**
 * `tenants`: names and namespaces a tenant may have, one tenant per namespace, and exactly one
 * credential value per tenant (a `secure:` value or a Secrets Manager reference).
 */
import { dnsLabelProblem, hasAsciiControl, quoted } from "../../k8sNames";
import type { Problem } from "../../problems";
import { SYSTEM_NAMESPACES } from "../args/tenants";
import type { Check } from "./check";

function reservedProblem(v: string): string | undefined {
  if (SYSTEM_NAMESPACES.includes(v) || v.startsWith("kube-"))
    return `${v} is a namespace of the cluster or of Flux, never a tenant's: use one named after the vendor (e.g. acme)`;
  return undefined;
}

const quotedProblem = (v: string, problem: string | undefined) => problem && `${quoted(v)} ${problem}`;

export const checkTenants: Check = (flux) => {
  const out: Problem[] = [];
  const names = new Map<string, number>();
  const namespaces = new Map<string, number>();
  flux.tenants.forEach((t, i) => {
    const at = `tenants.${i}`;
    const nameProblem = reservedProblem(t.name) ?? quotedProblem(t.name, dnsLabelProblem(t.name));
    if (nameProblem) out.push({ path: `${at}.name`, message: nameProblem });
    else if (names.has(t.name))
      out.push({
        path: `${at}.name`,
        message: `${t.name} is listed twice (also flux.tenants.${names.get(t.name)}): list a tenant once`,
      });
    else names.set(t.name, i);
    const nsProblem =
      t.namespace === t.name && nameProblem
        ? undefined
        : (reservedProblem(t.namespace) ?? quotedProblem(t.namespace, dnsLabelProblem(t.namespace)));
    if (nsProblem) out.push({ path: `${at}.namespace`, message: nsProblem });
    else if (namespaces.has(t.namespace)) {
      const other = flux.tenants[namespaces.get(t.namespace)!];
      if (!nameProblem || t.namespace !== t.name)
        out.push({
          path: `${at}.namespace`,
          message: `${t.namespace} is already the namespace of tenant ${other.name} (flux.tenants.${namespaces.get(t.namespace)}): a namespace belongs to one tenant; give each its own`,
        });
    } else namespaces.set(t.namespace, i);
    const c = t.credential;
    const value = c.type === "ssh" ? c.identity : c.password;
    const key = c.type === "ssh" ? "identity" : "password";
    if ((value === undefined) === (c.fromSecretsManager === undefined))
      out.push({
        path: `${at}.credential`,
        message: `give exactly one of ${key} (a secure: value) and fromSecretsManager`,
      });
    if (c.type === "ssh" && !c.knownHosts.split("\n").some((l) => l.trim() && !l.trim().startsWith("#")))
      out.push({
        path: `${at}.credential.knownHosts`,
        message: "is empty: add the output of `ssh-keyscan [-p PORT] <vendor's git host>`",
      });
    if (c.type === "oci" && (/[/@\s]/.test(c.server) || hasAsciiControl(c.server) || c.server === ""))
      out.push({
        path: `${at}.credential.server`,
        message: `${quoted(c.server)} must be the registry host (and port), e.g. registry.vendor.example: no scheme, path or credentials`,
      });
    if (c.type !== "ssh" && c.username === "")
      out.push({
        path: `${at}.credential.username`,
        message: "is empty: give the user name (for a token, any non-empty name)",
      });
    flux.extraSecrets.forEach((s, j) => {
      if (s.namespace === t.namespace && s.name === `${t.name}-auth`)
        out.push({
          path: `extraSecrets.${j}.name`,
          message: `${s.namespace}/${s.name} is the credential Secret of tenant ${t.name} (flux.tenants.${i}): choose another name`,
        });
      else if (s.namespace === t.namespace && s.createNamespace && t.createNamespace)
        out.push({
          path: `extraSecrets.${j}.createNamespace`,
          message: `namespace ${t.namespace} is created for tenant ${t.name} (flux.tenants.${i}): set createNamespace: false here`,
        });
    });
  });
  return out;
};
