/**
 * Bad-input rows about credentials and secrets (issue 24): a credential in a URL, a credential in a
 * free-form map, `secure:` values that are no ciphertext or sit on a field that is not secret, a
 * private key where a public one belongs, and files whose parse errors must not quote them. Same
 * shape as ./badInputRows.ts (run by badInput.test.ts); `never` lists what must not be printed: the
 * secret of the input, the text of the file.
 */
import { check } from "../../../cli/check";
import { render } from "../../../cli/render";
import { badStack, editedStack, renderBad, type BadInputRow } from "./badInputRows";

// Fake credentials of the shapes the guard knows (none is real).
const GITHUB = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
const GITLAB = "glpat-AbCdEfGhIjKlMnOpQrSt12";
const SLACK = "xoxb-123456789012-abcdefghijklmnop";
const AWS_ID = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const AGE = `AGE-SECRET-KEY-1${"Q".repeat(58)}`;
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjE=\\n-----END OPENSSH PRIVATE KEY-----";
const PGP = "-----BEGIN PGP PRIVATE KEY BLOCK-----\\nlQOYBGZ=\\n-----END PGP PRIVATE KEY BLOCK-----";
const PW = "hunter2";
/** A well-formed ciphertext (v1:<12-byte nonce>:<sealed bytes>), as Pulumi writes them. */
const CIPHERTEXT = "v1:Bw9jHMp4tMwYUToc:e9gWEXvvZGebMQPGkiC0qtdgbEDS5z5A";

const local = (edit: (t: string) => string) => editedStack("local", edit);
const dev = (edit: (t: string) => string) => editedStack("dev", edit);
const prod = (edit: (t: string) => string) => editedStack("prod", edit);
/** The local stack with `yaml` added under `platform:flux:` `install:` (6 spaces deep). */
const localInstall = (yaml: string) =>
  local((t) => t.replace("      mode: manifests\n", `      mode: manifests\n${yaml}`));
/** The local stack's source URL replaced. */
const localUrl = (url: string) =>
  local((t) => t.replace("url: https://github.com/acme-telco/platform-fleet.git", `url: "${url}"`));
/** The local stack with `flux.tenants` given as `yaml` (list items 6 spaces deep). */
const localTenants = (yaml: string) =>
  local((t) =>
    t.replace("    auth:\n      type: none\n", `    auth:\n      type: none\n    tenants:\n${yaml}`),
  );
const TENANT_HOSTS = "        knownHosts: git.acme.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVENDOR\n";
/** The local stack's vars replaced by `yaml` (4 spaces deep). */
const localVars = (yaml: string) => local((t) => t.replace('      SLICE_DEFAULT_MCC: "001"\n', yaml));

const row = (files: Record<string, string>, says: string[], never: string[]): BadInputRow => ({
  cli: render,
  argv: renderBad,
  files,
  code: 1,
  says,
  never,
});

export const rows: BadInputRow[] = [
  // 1. no credential in a URL
  row(
    localUrl(`https://bot:${PW}@github.com/acme-telco/platform-fleet.git`),
    [
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
    ],
    [PW],
  ),
  row(
    localUrl(`https://${GITHUB}@github.com/acme-telco/platform-fleet.git`),
    [
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
    ],
    [GITHUB],
  ),
  row(
    localUrl(`ssh://git:${PW}@github.com/acme-telco/platform-fleet.git`),
    [
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
    ],
    [PW],
  ),
  row(
    localUrl(`git:${PW}@github.com:acme-telco/platform-fleet.git`),
    [
      'flux.source.url: "***@github.com:acme-telco/platform-fleet.git" is the scp-like form, which Flux does not accept: write ssh://git@github.com/acme-telco/platform-fleet.git',
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
    ],
    [PW],
  ),
  row(
    localUrl(`https://github.com/acme-telco/platform-fleet.git?access_token=${GITHUB}`),
    [
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
    ],
    [GITHUB],
  ),
  row(
    localUrl("http://git.example.com/acme/platform-fleet.git"),
    [
      "flux.source.url: must use https://: what is fetched from it is run or trusted, so it must come over TLS",
    ],
    [],
  ),
  row(
    dev((t) => t.replace("url: oci://123456789012.dkr", `url: oci://AWS:${PW}@123456789012.dkr`)),
    [
      "flux.source.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider",
      'flux.source.url: "oci://***@123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/fleet" is not an ECR repository: with provider aws write oci://<account>.dkr.ecr.<region>.amazonaws.com/<repository>, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/fleet (lowercase)',
    ],
    [PW],
  ),
  row(
    dev((t) =>
      t.replace(
        "url: oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts",
        `url: oci://AWS:${PW}@123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts`,
      ),
    ),
    [
      'flux.source.charts.url: with provider aws the charts are ECR repositories, but "oci://***@123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts" is not an ECR location: write oci://<account>.dkr.ecr.<region>.amazonaws.com/<path> (lowercase)',
      "flux.source.charts.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in the registry login of `npm run gitops:publish` and source.provider (not the URL)",
    ],
    [PW],
  ),
  row(
    dev((t) =>
      t.replace("origin: https://github.com/", `origin: https://x-access-token:${GITHUB}@github.com/`),
    ),
    [
      "flux.source.origin: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in the access control of the forge or issuer, never this URL, which is public (objects, annotations, reports)",
    ],
    [GITHUB],
  ),
  row(
    localInstall(
      `      manifests:\n        url: https://mirror:${PW}@mirror.example.com/flux/v{version}/install.yaml\n`,
    ),
    [
      "flux.install.manifests.url: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in a mirror that needs none, or install.manifests.file (a local copy)",
    ],
    [PW],
  ),
  row(
    localInstall("      manifests:\n        url: http://mirror.example.com/flux/v{version}/install.yaml\n"),
    [
      "flux.install.manifests.url: must use https://: what is fetched from it is run or trusted, so it must come over TLS; the install manifests run Flux with cluster-admin rights; for a local copy use install.manifests.file",
    ],
    [],
  ),
  row(
    localInstall(`      registry: robot:${PW}@registry.example.com/fluxcd\n`),
    [
      "flux.install.registry: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in install.imagePullSecret (server, username and a password set with `pulumi config set --secret --path 'flux.install.imagePullSecret.password'`)",
    ],
    [PW],
  ),
  row(
    localInstall("      registry: https://registry.example.com/fluxcd\n"),
    ["flux.install.registry: must be a registry host and path such as ghcr.io/fluxcd, without a scheme"],
    [],
  ),
  row(
    localInstall(`      imagePullSecret:\n        server: https://robot:${PW}@registry.example.com\n`),
    [
      "flux.install.imagePullSecret: server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
      "flux.install.imagePullSecret.server: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in install.imagePullSecret (server, username and a password set with `pulumi config set --secret --path 'flux.install.imagePullSecret.password'`)",
    ],
    [PW],
  ),
  row(
    localInstall("      imagePullSecret:\n        server: http://registry.example.com\n"),
    [
      "flux.install.imagePullSecret: server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
      "flux.install.imagePullSecret.server: must use https://: what is fetched from it is run or trusted, so it must come over TLS",
    ],
    [],
  ),
  row(
    localInstall(
      `      operator:\n        chart: oci://robot:${PW}@ghcr.io/controlplaneio-fluxcd/charts/flux-operator\n`,
    ),
    [
      "flux.install.operator.chart: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in install.imagePullSecret, or a registry that needs none",
    ],
    [PW],
  ),
  row(
    localInstall("      operator:\n        chart: http://charts.example.com/flux-operator\n"),
    [
      "flux.install.operator.chart: must use https://: what is fetched from it is run or trusted, so it must come over TLS",
    ],
    [],
  ),
  row(
    local((t) =>
      t.replace(
        "      type: none\n",
        `      type: githubApp\n      appId: 1\n      installationId: 2\n      privateKey:\n        secure: ${CIPHERTEXT}\n      baseUrl: https://app:${PW}@github.example.com/api/v3\n`,
      ),
    ),
    [
      "flux.auth.baseUrl: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in auth.privateKey (the App's key)",
    ],
    [PW],
  ),
  row(
    local((t) =>
      t.replace(
        "    sync:\n",
        `    oidcProvider:\n      arn: arn:aws:iam::123456789012:oidc-provider/oidc.example.com/lab\n      issuerUrl: https://u:${PW}@oidc.example.com/lab\n    sops:\n      provider: awskms\n    sync:\n`,
      ),
    ),
    [
      "flux.oidcProvider.issuerUrl: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in the access control of the forge or issuer, never this URL, which is public (objects, annotations, reports)",
      "aws:region: is not set, and this platform uses AWS (an EKS cluster, dns, secrets or Secrets Manager credentials): run `pulumi config set aws:region <region>`, e.g. eu-central-1",
    ],
    [PW],
  ),
  row(
    prod((t) => t.replace("mirrorUrl: https://artifacts", `mirrorUrl: https://mirror:${PW}@artifacts`)),
    [
      "cluster.install.mirrorUrl: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in a mirror the nodes reach without credentials (the URL lands in the node commands, their logs and the state)",
    ],
    [PW],
  ),
  row(
    prod((t) =>
      t.replace(
        "mirrorUrl: https://artifacts.fra1.acme-telco.net/rke2/{version}",
        `mirrorUrl: https://artifacts.fra1.acme-telco.net/rke2/{version}?token=${GITHUB}`,
      ),
    ),
    [
      "cluster.install.mirrorUrl: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in a mirror the nodes reach without credentials (the URL lands in the node commands, their logs and the state)",
    ],
    [GITHUB],
  ),
  row(
    prod((t) =>
      t.replace(
        / {6}mode: airgap\n {6}mirrorUrl: .*\n/,
        `      mode: online\n      scriptUrl: https://mirror:${PW}@get.rke2.io\n`,
      ),
    ),
    [
      "cluster.install.checksumsSha256: is for air-gapped installs: online, the install script checks the release against its own checksum file; pin install.scriptSha256, or set mode airgap",
      "cluster.install.scriptUrl: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in a mirror the nodes reach without credentials (the URL lands in the node commands, their logs and the state)",
    ],
    [PW],
  ),
  row(
    prod((t) =>
      t.replace(
        / {6}mode: airgap\n {6}mirrorUrl: .*\n/,
        "      mode: online\n      scriptUrl: http://get.rke2.example.net\n",
      ),
    ),
    [
      "cluster.install.checksumsSha256: is for air-gapped installs: online, the install script checks the release against its own checksum file; pin install.scriptSha256, or set mode airgap",
      "cluster.install.scriptUrl: must use https://: what is fetched from it is run or trusted, so it must come over TLS; the nodes fetch and run it as root; or set install.insecure: true for a lab mirror (the baremetal-install-https policy flags it)",
    ],
    [],
  ),

  // 2. no credential in a free-form map
  row(
    localVars(`      GITHUB_TOKEN: ${GITHUB}\n`),
    [
      "flux.vars.GITHUB_TOKEN: looks like a credential (a GitHub token), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.GITHUB_TOKEN' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [GITHUB],
  ),
  row(
    localVars(`      DB_PASSWORD: ${PW}\n`),
    [
      "flux.vars.DB_PASSWORD: looks like a credential (its key is named like a secret), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.DB_PASSWORD' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [PW],
  ),
  row(
    localVars(`      SESSION: ${JWT}\n`),
    [
      "flux.vars.SESSION: looks like a credential (a JSON web token), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.SESSION' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [JWT],
  ),
  row(
    localVars(`      SOPS_KEY: ${AGE}\n`),
    [
      "flux.vars.SOPS_KEY: looks like a credential (an age secret key), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.SOPS_KEY' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [AGE],
  ),
  row(
    localVars(`      AWS_KEY_ID: ${AWS_ID}\n      AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}\n`),
    [
      "flux.vars.AWS_KEY_ID: looks like a credential (an AWS access key id), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.AWS_KEY_ID' <value>` (Secret cluster-secret-vars, substituted the same way)",
      "flux.vars.AWS_SECRET_ACCESS_KEY: looks like a credential (its key is named like a secret), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.AWS_SECRET_ACCESS_KEY' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [AWS_ID, AWS_SECRET],
  ),
  row(
    localVars(`      NOTIFY: ${SLACK}\n`),
    [
      "flux.vars.NOTIFY: looks like a credential (a Slack token), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.NOTIFY' <value>` (Secret cluster-secret-vars, substituted the same way)",
    ],
    [SLACK],
  ),
  row(
    localInstall(
      `      patches:\n        - target: {kind: Deployment, name: source-controller}\n          patch:\n            spec:\n              template:\n                spec:\n                  containers:\n                    - name: manager\n                      env:\n                        - name: GITLAB_TOKEN\n                          value: ${GITLAB}\n`,
    ),
    [
      "flux.install.patches.0.patch.spec.template.spec.containers.0.env.0.value: looks like a credential (a GitLab token), which must not be stored here in plain text: install patches are applied and stored in plain text: put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret), e.g. env valueFrom.secretKeyRef",
    ],
    [GITLAB],
  ),
  row(
    localInstall(
      `      patches:\n        - target: {kind: Deployment, name: source-controller}\n          patch:\n            - op: add\n              path: /metadata/annotations/key\n              value: "${PEM}"\n`,
    ),
    [
      "flux.install.patches.0.patch.0.value: looks like a credential (a private key), which must not be stored here in plain text: install patches are applied and stored in plain text: put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret), e.g. env valueFrom.secretKeyRef",
    ],
    ["b3BlbnNzaC1rZXktdjE="],
  ),
  row(
    localInstall(
      `      operator:\n        values:\n          instance:\n            sync:\n              password: ${PW}\n`,
    ),
    [
      "flux.install.operator.values.instance.sync.password: looks like a credential (its key is named like a secret), which must not be stored here in plain text: Helm values are stored in plain text: put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret)",
    ],
    [PW],
  ),
  row(
    localInstall(
      `      operator:\n        values:\n          notifications:\n            webhook: ${SLACK}\n`,
    ),
    [
      "flux.install.operator.values.notifications.webhook: looks like a credential (a Slack token), which must not be stored here in plain text: Helm values are stored in plain text: put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret)",
    ],
    [SLACK],
  ),
  row(
    localInstall(`      nodeSelector:\n        token: ${GITHUB}\n`),
    [
      "flux.install.nodeSelector.token: looks like a credential (a GitHub token), which must not be stored here in plain text: labels are public metadata, readable by anyone who may list the objects: remove it; for a credential, put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret)",
    ],
    [GITHUB],
  ),
  row(
    local((t) =>
      t.replace(
        "    sync:\n",
        `    extraSecrets:\n      - namespace: vendor-a\n        name: creds\n        labels:\n          api-key: ${GITHUB}\n        data:\n          key:\n            secure: ${CIPHERTEXT}\n    sync:\n`,
      ),
    ),
    [
      "flux.extraSecrets.0.labels.api-key: looks like a credential (a GitHub token), which must not be stored here in plain text: labels are public metadata, readable by anyone who may list the objects: remove it; for a credential, put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret)",
    ],
    [GITHUB],
  ),
  row(
    local((t) =>
      t.replace("    cost-center: platform\n", `    cost-center: platform\n    api-token: ${GITHUB}\n`),
    ),
    [
      "tags.api-token: looks like a credential (a GitHub token), which must not be stored here in plain text: tags and labels are public metadata (on every resource, in reports): remove it; a credential belongs in a secret field, set with `pulumi config set --secret --path <key>`",
    ],
    [GITHUB],
  ),
  row(
    local((t) =>
      t.replace("      substrate: existing\n", `      substrate: existing\n      token: ${GITHUB}\n`),
    ),
    [
      "fleet.labels.token: looks like a credential (a GitHub token), which must not be stored here in plain text: tags and labels are public metadata (on every resource, in reports): remove it; a credential belongs in a secret field, set with `pulumi config set --secret --path <key>`",
    ],
    [GITHUB],
  ),
  row(
    dev((t) =>
      t.replace(
        "      aws-ebs-csi-driver:\n        version: v1.51.1-eksbuild.1\n",
        `      aws-ebs-csi-driver:\n        version: v1.51.1-eksbuild.1\n        configurationValues:\n          controller:\n            env:\n              - name: AWS_SECRET_ACCESS_KEY\n                value: ${AWS_SECRET}\n`,
      ),
    ),
    [
      "cluster.addons.aws-ebs-csi-driver.configurationValues.controller.env.0.value: looks like a credential (its key is named like a secret), which must not be stored here in plain text: EKS keeps add-on configuration in plain text (so does the state): give the add-on its credential through a Secret it reads, or Secrets Manager (`pulumi config set --secret --path 'secrets.items.<name>.value' <value>`)",
    ],
    [AWS_SECRET],
  ),
  row(
    dev((t) =>
      t.replace(
        "          node.platform/pool: system\n",
        `          node.platform/pool: system\n          registry-token: ${GITHUB}\n`,
      ),
    ),
    [
      "cluster.nodeGroups.0.labels.registry-token: looks like a credential (a GitHub token), which must not be stored here in plain text: labels and tags are public metadata, readable by anyone who may list the nodes or describe the resources: remove it, and keep the credential in a Secret or in Secrets Manager (`pulumi config set --secret --path 'secrets.items.<name>.value' <value>`)",
    ],
    [GITHUB],
  ),
  row(
    prod((t) =>
      t.replace(
        "        name: de-prod-cp-1\n",
        `        name: de-prod-cp-1\n        labels:\n          bmc-password: ${PW}\n`,
      ),
    ),
    [
      "cluster.servers.0.labels.bmc-password: looks like a credential (its key is named like a secret), which must not be stored here in plain text: node labels are public metadata, readable by anyone who may list the nodes: remove it, and keep the credential in a Secret",
    ],
    [PW],
  ),

  // 3. secure: values that are no ciphertext, or on a field that is not secret
  row(
    local((t) =>
      t.replace("    vars:\n", `    secretVars:\n      TOKEN:\n        secure: ${PW}\n    vars:\n`),
    ),
    [
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    ],
    [PW],
  ),
  row(
    local((t) =>
      t.replace("    vars:\n", `    secretVars:\n      TOKEN:\n        secure: ${GITHUB}\n    vars:\n`),
    ),
    [
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    ],
    [GITHUB],
  ),
  row(
    local((t) =>
      t.replace("    vars:\n", "    secretVars:\n      TOKEN:\n        secure: v1:AAAA:BBBB\n    vars:\n"),
    ),
    [
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    ],
    [],
  ),
  row(
    local((t) =>
      t.replace(
        "    vars:\n",
        `    secretVars:\n      TOKEN:\n        secure: v1:Bw9jHMp4tMwYUToc:${Buffer.from(`my password is ${PW} truly`).toString("base64")}\n    vars:\n`,
      ),
    ),
    [
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    ],
    [PW],
  ),
  row(
    local((t) =>
      t.replace(
        "    vars:\n",
        `    secretVars:\n      TOKEN:\n        secure: ${Buffer.from(`the vendor token is ${GITHUB}`).toString("base64")}\n    vars:\n`,
      ),
    ),
    [
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    ],
    [GITHUB],
  ),
  row(
    local((t) =>
      t.replace("  platform:owner: platform-team\n", `  platform:owner:\n    secure: ${CIPHERTEXT}\n`),
    ),
    [
      "owner: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (`pulumi config set --path 'owner' <value>`); a credential belongs in a field marked secret in docs/configuration.md",
    ],
    [],
  ),
  row(
    local((t) => t.replace("  platform:site: laptop\n", `  platform:site:\n    secure: ${CIPHERTEXT}\n`)),
    [
      "site: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (`pulumi config set --path 'site' <value>`); a credential belongs in a field marked secret in docs/configuration.md",
    ],
    [],
  ),
  row(
    local((t) =>
      t.replace(
        '      SLICE_DEFAULT_MCC: "001"\n',
        `      SLICE_DEFAULT_MCC:\n        secure: ${CIPHERTEXT}\n`,
      ),
    ),
    [
      "flux.vars.SLICE_DEFAULT_MCC: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (`pulumi config set --path 'flux.vars.SLICE_DEFAULT_MCC' <value>`); a credential belongs in a field marked secret in docs/configuration.md",
    ],
    [],
  ),
  row(
    local((t) => t.replace("    cost-center: platform\n", `    cost-center:\n      secure: ${CIPHERTEXT}\n`)),
    [
      "tags.cost-center: tag values may hold letters, digits, spaces and _ . : / = + - @ only",
      "tags.cost-center: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (`pulumi config set --path 'tags.cost-center' <value>`); a credential belongs in a field marked secret in docs/configuration.md",
    ],
    [],
  ),
  row(
    local((t) =>
      t.replace("    kubeconfigPath: ~/.kube/config\n", `    kubeconfigPath:\n      secure: ${CIPHERTEXT}\n`),
    ),
    [
      "cluster.kubeconfigPath: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (`pulumi config set --path 'cluster.kubeconfigPath' <value>`); a credential belongs in a field marked secret in docs/configuration.md",
    ],
    [],
  ),
  row(
    local((t) =>
      t.replace(
        "      interval: 1m\n",
        `      interval: 1m\n      verify:\n        mode: HEAD\n        publicKeys:\n          release.asc: "${PGP}"\n`,
      ),
    ),
    [
      "flux.source.verify.publicKeys.release.asc: looks like a credential (a private key), which must not be stored here in plain text: give the public half only (`gpg --export --armor <key id>`, or the .pub file of an SSH key), never the private key",
    ],
    ["lQOYBGZ="],
  ),
  row(
    local((t) =>
      t.replace(
        "      type: none\n",
        `      type: https\n      caCert: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n${PEM}"\n`,
      ),
    ),
    [
      "flux.auth.caCert: looks like a credential (a private key), which must not be stored here in plain text: give the CA certificates only, never a private key",
    ],
    ["b3BlbnNzaC1rZXktdjE="],
  ),
  // flux.install.trustedCAs: certificates only, inline or from a project file the render reads.
  row(
    localInstall(`      trustedCAs: "${PEM}"\n`),
    [
      "flux.install.trustedCAs: holds a private key, which must never be stored here: give the PEM certificates of the CAs only (-----BEGIN CERTIFICATE----- blocks, e.g. `openssl x509 -in ca.pem` of each)",
    ],
    ["b3BlbnNzaC1rZXktdjE="],
  ),
  row(
    localInstall("      trustedCAs: certs/missing.pem\n"),
    [
      "flux.install.trustedCAs: cannot read certs/missing.pem: ENOENT: give the path of a file in the project",
    ],
    [],
  ),
  row(
    local((t) =>
      t
        .replace(
          "url: https://github.com/acme-telco/platform-fleet.git",
          "url: ssh://git@github.com/acme-telco/platform-fleet.git",
        )
        .replace(
          "      type: none\n",
          `      type: ssh\n      privateKey:\n        secure: ${CIPHERTEXT}\n      knownHosts: "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\\n${PEM}"\n`,
        ),
    ),
    [
      "flux.auth.knownHosts: looks like a credential (a private key), which must not be stored here in plain text: give the output of `ssh-keyscan <host>` (public host keys) only",
    ],
    ["b3BlbnNzaC1rZXktdjE="],
  ),

  // 4. errors never quote a file
  row(
    {
      ...localInstall("      manifests:\n        file: creds\n"),
      creds: `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
    },
    ["flux.install.manifests.file: creds: invalid YAML at line 2, column 1: Unexpected scalar at node end"],
    [AWS_ID, AWS_SECRET],
  ),
  row(
    { ...localInstall("      manifests:\n        file: token.txt\n"), "token.txt": `${GITHUB}\n` },
    [
      "flux.install.manifests.file: token.txt: document 1 is not a Kubernetes object (apiVersion, kind and metadata.name)",
    ],
    [GITHUB],
  ),
  row(
    {
      ...localInstall("      manifests:\n        file: secrets.yaml\n"),
      "secrets.yaml": `password: ${PW}: x\n`,
    },
    [
      "flux.install.manifests.file: secrets.yaml: invalid YAML at line 1, column 11: Nested mappings are not allowed in compact mappings",
    ],
    [PW],
  ),
  row(
    { ...localInstall("      manifests:\n        file: list.yaml\n"), "list.yaml": `- ${GITLAB}\n` },
    [
      "flux.install.manifests.file: list.yaml: document 1 is not a Kubernetes object (apiVersion, kind and metadata.name)",
    ],
    [GITLAB],
  ),
  row(
    badStack(`platform:flux:\n  secretVars: {TOKEN: ${GITHUB}\n  vars: [`),
    [
      "Pulumi.bad.yaml: invalid YAML at line 4, column 5: Flow map in block collection must be sufficiently indented and end with a }",
    ],
    [GITHUB],
  ),
  {
    cli: check,
    argv: ["local", "--policy-config", "{tmp}/creds"],
    files: { creds: `${GITHUB}\n` },
    code: 1,
    says: ["policy config {tmp}/creds: invalid JSON: unexpected character"],
    never: [GITHUB],
  },
  {
    cli: check,
    argv: ["local", "--policy-config", "{tmp}/p.json"],
    files: { "p.json": `{"all": "mandatory", "token": ${PW}}\n` },
    code: 1,
    says: ["policy config {tmp}/p.json: invalid JSON: unexpected character"],
    never: [PW],
  },
  {
    cli: check,
    argv: ["local", "--policy-config", "{tmp}/p.json"],
    files: { "p.json": `{"all": "mandatory",\n "password": "${PW}"\n` },
    code: 1,
    says: [
      "policy config {tmp}/p.json: invalid JSON at line 3, column 1: Expected ',' or '}' after property value",
    ],
    never: [PW],
  },
  // flux.tenants: the tenant credential is a secure: value, names and namespaces are the tenant's own
  row(
    localTenants(
      `      - name: acme\n        credential:\n          type: ssh\n          identity: "${PEM}"\n  ${TENANT_HOSTS}`,
    ),
    [
      "flux.tenants.0.credential.identity: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.tenants.0.credential.identity' <value>` so it is encrypted in Pulumi.bad.yaml",
    ],
    ["b3BlbnNzaC1rZXktdjE="],
  ),
  row(
    localTenants(
      `      - name: flux-system\n        credential:\n          type: https\n          username: git\n          password:\n            secure: ${CIPHERTEXT}\n`,
    ),
    [
      "flux.tenants.0.name: flux-system is a namespace of the cluster or of Flux, never a tenant's: use one named after the vendor (e.g. acme)",
    ],
    [CIPHERTEXT],
  ),
  row(
    localTenants(
      `      - name: acme\n        credential:\n          type: oci\n          server: registry.acme.example\n          username: pull\n          password:\n            secure: ${CIPHERTEXT}\n      - name: globex\n        namespace: acme\n        credential:\n          type: oci\n          server: registry.globex.example\n          username: pull\n          password:\n            secure: ${CIPHERTEXT}\n`,
    ),
    [
      "flux.tenants.1.namespace: acme is already the namespace of tenant acme (flux.tenants.0): a namespace belongs to one tenant; give each its own",
    ],
    [CIPHERTEXT],
  ),
  row(
    localTenants(
      `      - name: acme\n        credential:\n          type: ssh\n          identity:\n            secure: ${CIPHERTEXT}\n`,
    ),
    [
      "flux.tenants.0.credential.knownHosts: is required for ssh: add the output of `ssh-keyscan [-p PORT] <vendor's git host>`",
    ],
    [CIPHERTEXT],
  ),
];
