/**
 * `install.trustedCAs` and `source.caCert`: CA certificates only, that parse and have not expired; the
 * first in a mode that installs Flux, the second on an OCI root.
 */
import type { Problem } from "../../problems";
import type { FluxInstallArgs, FluxSourceArgs } from "../args";
import { trustedCAsProblems } from "../trustedCAs";
import type { Check } from "./check";

/** The problems of `install.trustedCAs` (paths relative to the Flux settings); also run on a bundle read from a file. */
export function installTrustedCAsProblems(install: Pick<FluxInstallArgs, "mode" | "trustedCAs">): Problem[] {
  if (install.trustedCAs === undefined) return [];
  const path = "install.trustedCAs";
  const out: Problem[] = trustedCAsProblems(install.trustedCAs).map((message) => ({ path, message }));
  if (install.mode === "none")
    out.push({
      path,
      message:
        "cannot be mounted with install.mode none (Flux is installed by someone else): give the CAs to the controllers where Flux is installed, or remove trustedCAs",
    });
  return out;
}

/** The problems of `source.caCert` (paths relative to the Flux settings); also run on a bundle read from a file. */
export function sourceCaCertProblems(source: Pick<FluxSourceArgs, "kind" | "caCert">): Problem[] {
  if (source.caCert === undefined) return [];
  const path = "source.caCert";
  const out: Problem[] = trustedCAsProblems(source.caCert).map((message) => ({ path, message }));
  if (source.kind !== "oci")
    out.push({
      path,
      message:
        "is for an OCI root (kind oci): a Git root over https takes its CA in auth.caCert, or give it to every controller with install.trustedCAs",
    });
  return out;
}

export const checkTrustedCAs: Check = ({ install, source }) => [
  ...installTrustedCAsProblems(install),
  ...sourceCaCertProblems(source),
];
