/** The choices between sibling fields: one source ref, a pull secret's credentials given together. */
import type { Problem } from "../../problems";
import type { Check } from "./check";

/** Exactly-one and all-or-none rules between sibling fields. */
export const checkChoices: Check = (flux) => {
  const out: Problem[] = [];
  if (Object.values(flux.source.ref).filter((v) => v !== undefined).length !== 1)
    out.push({
      path: "source.ref",
      message: "give exactly one of tag, semver, branch, commit, name (Git) or tag, semver, digest (OCI)",
    });
  const pull = flux.install.imagePullSecret;
  const given = pull ? [pull.server, pull.username, pull.password].filter((x) => x !== undefined).length : 0;
  if (given !== 0 && given !== 3)
    out.push({
      path: "install.imagePullSecret",
      message:
        "server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
    });
  return out;
};
