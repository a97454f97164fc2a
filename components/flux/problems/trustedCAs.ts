/** `install.trustedCAs`: CA certificates only, that parse and have not expired, in a mode that installs Flux. */
import type { Problem } from "../../problems";
import type { FluxInstallArgs } from "../args";
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

export const checkTrustedCAs: Check = ({ install }) => installTrustedCAsProblems(install);
