/** How Flux is installed: the controller selection, the manifests' origin and the lockdown. */
import type { Problem } from "../../problems";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS } from "../args";
import { patchChangeMessages, probePatch, scalingProblems } from "../manifests";
import type { Check } from "./check";

/**
 * Install patches judged before anything is loaded, on stand-ins of the objects they target (the
 * real install is compared again when it is transformed): none may widen Flux's privileges without
 * `allowPrivilegeChanges`, none may remove a controller's container, image or args.
 */
const checkPatches: Check = ({ install }) => {
  const out: Problem[] = [];
  const reason = install.allowPrivilegeChanges;
  if (reason !== undefined && reason.trim() === "")
    out.push({
      path: "install.allowPrivilegeChanges",
      message:
        "is empty: state why the install patches need more rights than Flux's upstream install (who decided, and a ticket), or remove it",
    });
  else if (reason !== undefined && (install.mode === "none" || install.patches.length === 0))
    out.push({
      path: "install.allowPrivilegeChanges",
      message:
        install.mode === "none"
          ? "has nothing to allow with install.mode none (the program patches nothing): remove it"
          : "is set but there are no install.patches: remove it",
    });
  install.patches.forEach((p, i) => {
    for (const message of patchChangeMessages(probePatch(p), reason !== undefined))
      out.push({ path: `install.patches.${i}`, message });
  });
  return out;
};

export const checkInstall: Check = (flux) => {
  const { install } = flux;
  const out: Problem[] = [...checkPatches(flux), ...scalingProblems(install)];
  if (flux.adopt && install.mode === "operator")
    out.push({
      path: "adopt",
      message:
        "takes over what flux bootstrap installed, in install.mode manifests: adopt in manifests mode first, then move to the operator (docs/lifetime.md)",
    });
  const all = [...install.components, ...install.extraComponents];
  const dup = all.filter((c, i) => all.indexOf(c) !== i);
  if (dup.length)
    out.push({
      path: "install.components",
      message: `lists ${[...new Set(dup)].join(", ")} more than once (counting extraComponents)`,
    });
  for (const c of install.extraComponents)
    if (!(EXTRA_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "install.extraComponents",
        message: `${c} is a default component: list it in components, extras are ${EXTRA_COMPONENTS.join(", ")}`,
      });
  for (const c of install.components)
    if (!(DEFAULT_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "install.components",
        message: `${c} is an extra component: list it in extraComponents`,
      });
  if (install.mode !== "none")
    for (const need of ["source-controller", "kustomize-controller"] as const)
      if (!install.components.includes(need))
        out.push({
          path: "install.components",
          message: `must include ${need}: the root sync needs it`,
        });
  // install.manifests.url: checkUrls (credentials.ts), with every other URL.
  if (install.lockdown && install.mode === "none")
    out.push({
      path: "install.lockdown",
      message:
        "cannot be applied with install.mode none (Flux is installed by someone else): set the controller flags where Flux is installed, or remove lockdown",
    });
  if (install.lockdown && install.mode === "operator" && install.operator.multitenant)
    out.push({
      path: "install.lockdown",
      message:
        "and install.operator.multitenant both lock the controllers down: give one, lockdown (the flags flux bootstrap users know, set by the program) or multitenant (the operator's own)",
    });
  if (install.lockdown && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(install.lockdown.defaultServiceAccount))
    out.push({
      path: "install.lockdown.defaultServiceAccount",
      message: `"${install.lockdown.defaultServiceAccount}" is not a service account name: lowercase letters, digits and '-', e.g. default`,
    });
  if (install.manifests.file && install.manifests.url)
    out.push({ path: "install.manifests", message: "give file (air-gapped) or url (mirror), not both" });
  return out;
};
