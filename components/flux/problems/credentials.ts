/**
 * No credential where the Flux settings would copy it in plain text: in a URL (the source, the charts,
 * the install manifests, the registries, the operator chart, the GitHub API), in the free-form maps
 * (cluster variables, install patches, Helm values, labels), or a private key among public keys.
 */
import type { Problem } from "../../problems";
import { EARLY_SECRET_FIX, secretProblems } from "../../secretGuard";
import { CREDENTIAL_MESSAGE, registryProblems, urlProblems, type UrlRules } from "../../url";
import type { Check } from "./check";

const at =
  (path: string) =>
  (messages: string[]): Problem[] =>
    messages.map((message) => ({ path, message }));

const FETCHED: Omit<UrlRules, "credentialsIn"> = { schemes: ["https", "http"] };
const PULL_SECRET =
  "install.imagePullSecret (server, username and a password set with `pulumi config set --secret --path 'flux.install.imagePullSecret.password'`)";

export const checkUrls: Check = (flux) => {
  const { source, install, auth } = flux;
  const out: Problem[] = [];
  if (source.charts)
    out.push(
      ...at("source.charts.url")(
        urlProblems(source.charts.url, {
          schemes: ["oci"],
          credentialsIn: "the registry login of `npm run gitops:publish` and source.provider (not the URL)",
        }),
      ).filter((p) => p.message.startsWith(CREDENTIAL_MESSAGE)),
    );
  if (install.manifests.url !== undefined)
    out.push(
      ...at("install.manifests.url")(
        urlProblems(install.manifests.url, {
          ...FETCHED,
          credentialsIn: "a mirror that needs none, or install.manifests.file (a local copy)",
          tlsFix:
            "the install manifests run Flux with cluster-admin rights; for a local copy use install.manifests.file",
        }).map((m) => (m.startsWith("must be an") ? `${m}: for a local copy use install.manifests.file` : m)),
      ),
    );
  out.push(...at("install.registry")(registryProblems(install.registry, PULL_SECRET)));
  const server = install.imagePullSecret?.server;
  if (server !== undefined)
    out.push(...at("install.imagePullSecret.server")(registryProblems(server, PULL_SECRET, { url: true })));
  out.push(
    ...at("install.operator.chart")(
      urlProblems(install.operator.chart, {
        schemes: ["oci", "https", "http"],
        credentialsIn: "install.imagePullSecret, or a registry that needs none",
      }),
    ),
  );
  if (auth.type === "githubApp" && auth.baseUrl !== undefined)
    out.push(
      ...at("auth.baseUrl")(
        urlProblems(auth.baseUrl, { schemes: ["https"], credentialsIn: "auth.privateKey (the App's key)" }),
      ),
    );
  return out;
};

const METADATA_FIX = `labels are public metadata, readable by anyone who may list the objects: remove it; for a credential, ${EARLY_SECRET_FIX}`;
const PUBLIC_KEY_FIX =
  "give the public half only (`gpg --export --armor <key id>`, or the .pub file of an SSH key), never the private key";

export const checkFreeFormSecrets: Check = (flux) => {
  const { install, source, auth } = flux;
  const varFix = (path: string) =>
    `cluster-vars is a ConfigMap: remove it from vars, then \`pulumi config set --secret --path 'flux.secretVars.${path.slice("vars.".length)}' <value>\` (Secret cluster-secret-vars, substituted the same way)`;
  return [
    ...secretProblems(flux.vars, "vars", varFix),
    ...secretProblems(install.nodeSelector, "install.nodeSelector", METADATA_FIX),
    ...secretProblems(
      install.patches,
      "install.patches",
      `install patches are applied and stored in plain text: ${EARLY_SECRET_FIX}, e.g. env valueFrom.secretKeyRef`,
    ),
    ...secretProblems(
      install.operator.values,
      "install.operator.values",
      `Helm values are stored in plain text: ${EARLY_SECRET_FIX}`,
    ),
    ...flux.extraSecrets.flatMap((s, i) =>
      secretProblems(s.labels, `extraSecrets.${i}.labels`, METADATA_FIX),
    ),
    ...secretProblems(source.verify?.publicKeys, "source.verify.publicKeys", PUBLIC_KEY_FIX, {
      byKeyName: false,
    }),
    ...(auth.type === "https"
      ? secretProblems(auth.caCert, "auth.caCert", "give the CA certificates only, never a private key", {
          byKeyName: false,
        })
      : []),
    ...(auth.type === "ssh"
      ? secretProblems(
          auth.knownHosts,
          "auth.knownHosts",
          "give the output of `ssh-keyscan <host>` (public host keys) only",
          { byKeyName: false },
        )
      : []),
  ];
};
