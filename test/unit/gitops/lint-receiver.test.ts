/**
 * gitops:lint on the push webhook's Receiver: its token Secret (spec.secretRef) must exist for the
 * platform: in the tree, made by an ExternalSecret, or created by the program (flux.receiver.token
 * makes flux-system/fleet-receiver-token; flux.extraSecrets the others).
 */
import * as fs from "node:fs";
import type { PlatformContract } from "../../../automation/gitops";
import { copyOfShipped, edit, lintLines, shippedContracts } from "./helpers";

// Each lint runs kustomize over the repository: seconds on a loaded machine; not a timing test.
jest.setTimeout(60_000);

const RECEIVER = "notifications/base/receiver.yaml";
/** The Secrets of the shipped Providers, given as early secrets: only the Receiver's is in question. */
const PROVIDER_SECRETS = ["flux-system/fleet-status-token", "flux-system/fleet-alerts-webhook"];

const missing = (secret: string, fix: string) =>
  `${RECEIVER}:23: [notification] Receiver flux-system/fleet-push: secretRef Secret flux-system/${secret} (the webhook token) is not in the tree of de-dev, no ExternalSecret makes it and the program does not create it, so notification-controller cannot verify a push and Flux never pulls on one: ${fix}, or apply an ExternalSecret or a SOPS-encrypted Secret of that name (de-dev)`;

describe("gitops:lint on the push webhook's Receiver", () => {
  let repo: string;
  beforeAll(() => {
    repo = copyOfShipped();
    // The platform's notifications without their ExternalSecrets: the Secrets must come from the stack.
    edit(
      repo,
      "clusters/de-dev/notifications.yaml",
      "path: ./notifications/secrets-manager",
      "path: ./notifications/base",
    );
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  const devWith = (extra: Partial<PlatformContract>) => {
    const contracts = shippedContracts();
    contracts.set("de-dev", {
      ...contracts.get("de-dev")!,
      earlySecrets: PROVIDER_SECRETS,
      rootRef: { kind: "semver", value: ">=1.0.0-0", file: "Pulumi.dev.yaml", line: 98 },
      ...extra,
    });
    return contracts;
  };

  it("reports the token Secret when the stack has no flux.receiver and nothing else makes it", async () => {
    expect(await lintLines(repo, devWith({}))).toEqual([
      missing(
        "fleet-receiver-token",
        "set flux.receiver.token in Pulumi.dev.yaml (the program then creates it)",
      ),
    ]);
  });

  it("accepts the token Secret the program creates with flux.receiver.token", async () => {
    expect(await lintLines(repo, devWith({ receiverSecret: "flux-system/fleet-receiver-token" }))).toEqual(
      [],
    );
  });

  it("names flux.extraSecrets for a token Secret of another name", async () => {
    edit(repo, RECEIVER, "    name: fleet-receiver-token", "    name: push-token");
    try {
      expect(await lintLines(repo, devWith({ receiverSecret: "flux-system/fleet-receiver-token" }))).toEqual([
        missing(
          "push-token",
          "add it to flux.extraSecrets in Pulumi.dev.yaml (namespace flux-system, name push-token)",
        ),
      ]);
      expect(
        await lintLines(repo, devWith({ earlySecrets: [...PROVIDER_SECRETS, "flux-system/push-token"] })),
      ).toEqual([]);
    } finally {
      edit(repo, RECEIVER, "    name: push-token", "    name: fleet-receiver-token");
    }
  });
});
