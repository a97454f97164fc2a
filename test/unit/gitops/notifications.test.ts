import * as fs from "node:fs";
import { metadataKeysOf } from "../../../automation/gitops/lint/notifications";
import { copyOfShipped, edit, lintBrokenCopy, lintLines, SHIPPED, shippedContracts } from "./helpers";

const PROVIDER = "notifications/base/provider.yaml";
const ALERTS = "notifications/base/alerts.yaml";

type Breakage = (repo: string) => void;
const cases: [string, Breakage, string[]][] = [
  [
    "an Alert whose Provider does not exist",
    (r) => edit(r, ALERTS, "    name: fleet-alerts", "    name: fleet-alert"),
    [
      "notifications/base/alerts.yaml:31: [notification] Alert flux-system/reconcile-failures: providerRef Provider flux-system/fleet-alert does not exist in the tree of de-dev (an Alert's Provider is in its own namespace) (de-dev)",
    ],
  ],
  [
    "a github Provider without a token",
    (r) => edit(r, PROVIDER, "  secretRef:\n    name: fleet-status-token\n", ""),
    [
      "notifications/base/provider.yaml:13: [notification] Provider flux-system/fleet-status: a github Provider posts commit statuses with a token, and this one has no secretRef: add secretRef: {name: <Secret with key token>} (de-dev)",
    ],
  ],
  [
    "a Provider whose Secret nothing makes",
    (r) => edit(r, PROVIDER, "name: fleet-status-token", "name: fleet-status-tokens"),
    [
      "notifications/base/provider.yaml:18: [notification] Provider flux-system/fleet-status: secretRef Secret flux-system/fleet-status-tokens is not in the tree of de-dev, no ExternalSecret makes it and it is not an early secret of the stack; add it to flux.extraSecrets (namespace flux-system, name fleet-status-tokens), or apply an ExternalSecret or a SOPS-encrypted Secret of that name (de-dev)",
    ],
  ],
  [
    "an address that is not https",
    (r) => edit(r, PROVIDER, ":=https://github.com/acme-telco", ":=http://github.com/acme-telco"),
    [
      "notifications/base/provider.yaml:14: [notification] Provider flux-system/fleet-status: address http://github.com/acme-telco/platform-fleet is not an https URL; notification-controller would send the token in clear text: use https://… (de-dev)",
    ],
  ],
  [
    "an address with a token in it",
    (r) =>
      edit(
        r,
        PROVIDER,
        ":=https://github.com/acme-telco",
        ":=https://x-access-token:ghp_abc@github.com/acme-telco",
      ),
    [
      "notifications/base/provider.yaml:14: [notification] Provider flux-system/fleet-status: the address carries credentials (user or token before @), in plain text in Git and in the Provider: put the whole URL in the Secret secretRef names, key address, and leave spec.address out (de-dev)",
    ],
  ],
  [
    "an address of another repository than the platform's",
    (r) => edit(r, PROVIDER, "acme-telco/platform-fleet}", "acme-telco/platform-fleet-old}"),
    [
      "notifications/base/provider.yaml:14: [notification] Provider flux-system/fleet-status: posts commit statuses to https://github.com/acme-telco/platform-fleet-old, but the artifact platform de-dev pulls is published from https://github.com/acme-telco/platform-fleet (flux.source.origin): the statuses would go to commits of another repository; point the address at https://github.com/acme-telco/platform-fleet (FLEET_STATUS_ADDRESS) (de-dev)",
    ],
  ],
  [
    "a provider type that substitution makes invalid",
    (r) => edit(r, PROVIDER, "${FLEET_STATUS_PROVIDER:=github}", "${FLEET_STATUS_PROVIDER:=githb}"),
    [
      expect.stringMatching(
        /^notifications\/base\/provider\.yaml:13: \[schema\] Provider fleet-status: spec\.type: must be one of "slack", .*"github", "gitlab", .* \(substituted: "githb" from \$\{FLEET_STATUS_PROVIDER:=githb\}\) \(de-dev\)$/,
      ) as unknown as string,
    ],
  ],
  [
    "a commitStatusExpr on a webhook Provider",
    (r) => edit(r, PROVIDER, "${FLEET_STATUS_PROVIDER:=github}", "${FLEET_STATUS_PROVIDER:=generic}"),
    [
      "notifications/base/provider.yaml:19: [notification] Provider flux-system/fleet-status: commitStatusExpr is only accepted for the commit-status types (github, gitlab, gitea, bitbucket, bitbucketserver, azuredevops); the API server rejects a generic Provider with it: remove it or change the type (de-dev)",
    ],
  ],
  [
    "a status context from metadata the Alert does not set",
    (r) =>
      edit(
        r,
        ALERTS,
        "    platform: ${PLATFORM_NAME}\n    cluster: ${CLUSTER_NAME}\n",
        "    cluster: ${CLUSTER_NAME}\n",
      ),
    [
      "notifications/base/alerts.yaml:11: [notification] Alert flux-system/fleet-status: its Provider's commitStatusExpr reads event.metadata.platform, which this Alert does not set: the expression fails and no status is posted; add eventMetadata.platform (de-dev)",
    ],
  ],
  [
    "an event source that is not in the tree",
    (r) =>
      edit(
        r,
        ALERTS,
        '    - kind: GitRepository\n      name: "*"',
        "    - kind: GitRepository\n      name: vendor-catalog",
      ),
    [
      "notifications/base/alerts.yaml:36: [notification] Alert flux-system/reconcile-failures: eventSources GitRepository flux-system/vendor-catalog is not in the tree of de-dev: the Alert would never fire for it (de-dev)",
    ],
  ],
  [
    "event metadata that substitution turns into a number",
    (r) =>
      edit(
        r,
        ALERTS,
        "    environment: ${PLATFORM_ENVIRONMENT}\n    summary",
        "    environment: ${PLATFORM_ENVIRONMENT}\n    site: ${SITE_CODE:=0042}\n    summary",
      ),
    [
      'notifications/base/alerts.yaml:20: [type] spec.eventMetadata.site must be a string, but ${SITE_CODE:=0042} makes it the number 34 (value "0042"): Flux substitutes into YAML after a JSON round trip, so quotes around a variable are lost; keep the variable inside a longer string (e.g. x-${SITE_CODE:=0042}) (de-dev)',
    ],
  ],
];

describe("gitops:lint on broken notifications", () => {
  it.each(cases)("%s", async (_name, breakIt, expected) => {
    expect(await lintBrokenCopy(breakIt)).toEqual(expected);
  });
});

describe("gitops:lint on notifications with early secrets", () => {
  it("needs the Secrets as flux.extraSecrets when no ExternalSecret makes them", async () => {
    const repo = copyOfShipped();
    try {
      edit(
        repo,
        "clusters/de-dev/notifications.yaml",
        "path: ./notifications/secrets-manager",
        "path: ./notifications/base",
      );
      const missing = (line: number, name: string, fix: string) =>
        `notifications/base/provider.yaml:${line}: [notification] Provider flux-system/${name}: secretRef Secret flux-system/${fix} is not in the tree of de-dev, no ExternalSecret makes it and it is not an early secret of the stack; add it to flux.extraSecrets (namespace flux-system, name ${fix}), or apply an ExternalSecret or a SOPS-encrypted Secret of that name (de-dev)`;
      expect(await lintLines(repo)).toEqual([
        missing(18, "fleet-status", "fleet-status-token"),
        missing(32, "fleet-alerts", "fleet-alerts-webhook"),
        // The push webhook's token (flux.receiver), checked by test/unit/gitops/lint-receiver.test.ts.
        expect.stringMatching(
          /^notifications\/base\/receiver\.yaml:23: \[notification\] Receiver flux-system\/fleet-push: secretRef Secret flux-system\/fleet-receiver-token /,
        ) as unknown as string,
      ]);
      const contracts = shippedContracts();
      const dev = contracts.get("de-dev");
      if (!dev) throw new Error("test setup: no de-dev contract");
      contracts.set("de-dev", {
        ...dev,
        earlySecrets: ["flux-system/fleet-status-token", "flux-system/fleet-alerts-webhook"],
        receiverSecret: "flux-system/fleet-receiver-token",
      });
      expect(await lintLines(repo, contracts)).toEqual([]);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("takes a platform's own Provider values from cluster-vars (artifacts published from a GitLab mirror)", async () => {
    const contracts = shippedContracts();
    const dev = contracts.get("de-dev");
    if (!dev) throw new Error("test setup: no de-dev contract");
    contracts.set("de-dev", {
      ...dev,
      clusterVars: {
        ...dev.clusterVars,
        FLEET_STATUS_PROVIDER: "gitlab",
        FLEET_STATUS_ADDRESS: "https://gitlab.example.com/acme-telco/platform-fleet",
      },
      // Its artifact is published from the GitLab mirror: the statuses go there.
      sourceOrigin: "https://gitlab.example.com/acme-telco/platform-fleet.git",
    });
    expect(await lintLines(SHIPPED, contracts)).toEqual([]);
    contracts.set("de-dev", {
      ...contracts.get("de-dev")!,
      clusterVars: { ...dev.clusterVars, FLEET_STATUS_PROVIDER: "bitbucket-cloud" },
    });
    expect(await lintLines(SHIPPED, contracts)).toEqual([
      expect.stringContaining(
        'notifications/base/provider.yaml:13: [schema] Provider fleet-status: spec.type: must be one of "slack",',
      ) as unknown as string,
    ]);
  });
});

describe("commit statuses of an OCI-rooted platform", () => {
  it("go to the artifact's origin, which the stack must name", async () => {
    const contracts = shippedContracts();
    const dev = contracts.get("de-dev")!;
    const rootRef = { kind: "semver", value: ">=1.0.0-0", file: "Pulumi.dev.yaml", line: 98 };
    contracts.set("de-dev", { ...dev, sourceOrigin: undefined, rootRef });
    expect(await lintLines(SHIPPED, contracts)).toEqual([
      "notifications/base/provider.yaml:14: [notification] Provider flux-system/fleet-status: posts commit statuses, but platform de-dev pulls an OCI artifact and its stack does not say which Git repository the artifact is published from: set flux.source.origin in Pulumi.dev.yaml to https://github.com/acme-telco/platform-fleet (notification-controller posts to the commit the artifact's org.opencontainers.image.revision names, which npm run gitops:publish records) (de-dev)",
    ]);
    contracts.set("de-dev", { ...dev, sourceOrigin: "https://github.com/acme-telco/other-fleet" });
    expect(await lintLines(SHIPPED, contracts)).toEqual([
      "notifications/base/provider.yaml:14: [notification] Provider flux-system/fleet-status: posts commit statuses to https://github.com/acme-telco/platform-fleet, but the artifact platform de-dev pulls is published from https://github.com/acme-telco/other-fleet (flux.source.origin): the statuses would go to commits of another repository; point the address at https://github.com/acme-telco/other-fleet (FLEET_STATUS_ADDRESS) (de-dev)",
    ]);
  });
});

describe("metadataKeysOf", () => {
  it("finds the event metadata a commitStatusExpr reads", () => {
    expect(
      metadataKeysOf(
        "'flux/' + event.metadata.platform + '/' + event.metadata['cluster'] + event.involvedObject.name",
      ),
    ).toEqual(["platform", "cluster"]);
    expect(metadataKeysOf("event.involvedObject.kind + '/' + provider.metadata.uid")).toEqual([]);
  });
});

describe("a webhook Provider", () => {
  it("reports a webhook Provider with nowhere to post", async () => {
    expect(
      await lintBrokenCopy((r) => edit(r, PROVIDER, "  secretRef:\n    name: fleet-alerts-webhook\n", "")),
    ).toEqual([
      "notifications/base/provider.yaml:30: [notification] Provider flux-system/fleet-alerts: no address and no secretRef (whose key address could hold it): notification-controller has nowhere to post (de-dev)",
    ]);
  });
});
