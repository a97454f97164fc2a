import { createAwsContext } from "../../../../components/aws";
import { PlatformDns, type PlatformDnsArgs } from "../../../../components/dns";
import { ArgsError } from "../../../../components/problems";
import { onEngine } from "../../../helpers/platform";

const DNS = "platform:dns:PlatformDns::dns";
const PROVIDER = "pulumi:providers:aws::aws";

/** PlatformDns built from its own arguments (no platform config), with the one AWS context. */
const build = (patch: Partial<PlatformDnsArgs> = {}) =>
  onEngine(() => {
    const aws = createAwsContext({ region: "eu-central-1", tags: { platform: "p" } });
    const dns = new PlatformDns("dns", {
      zoneName: "p.example.com",
      parentDomain: "example.com",
      iamPrefix: "p",
      aws,
      ...patch,
    });
    return { zoneName: dns.zoneName, credentials: dns.credentials.map((c) => `${c.namespace}/${c.name}`) };
  });

const identity = (role: string) => {
  const id = `platform:secrets:WorkloadIdentity::dns-${role}`;
  return [
    [id, DNS, undefined, []],
    ...["user:User::dns-%-user", "role:Role::dns-%-role", "rolePolicy:RolePolicy::dns-%-policy"]
      .concat(["userPolicy:UserPolicy::dns-%-assume", "accessKey:AccessKey::dns-%-key"])
      .map((t) => [`aws:iam/${t.replace("%", role)}`, id, PROVIDER, []]),
  ];
};

describe("PlatformDns from its own arguments", () => {
  it("creates the zone and one identity per workload on the context's provider (IAM users without IRSA)", async () => {
    const d = await build();
    expect(d.resources.map((r) => [`${r.type}::${r.name}`, r.parent, r.provider, r.dependsOn])).toEqual([
      [PROVIDER, undefined, undefined, []],
      [DNS, undefined, undefined, []],
      ["aws:route53/zone:Zone::dns-zone", DNS, PROVIDER, []],
      ...identity("external-dns"),
      ...identity("cert-manager"),
    ]);
    expect(d.inputs("dns-zone")).toEqual({
      name: "p.example.com",
      comment: "Platform zone p.example.com, managed by Pulumi",
      tags: { Name: "p.example.com", platform: "p" },
    });
    expect(d.outputs).toEqual({
      zoneName: "p.example.com",
      credentials: ["external-dns/external-dns-aws-credentials", "cert-manager/cert-manager-aws-credentials"],
    });
  });

  it("adopts an existing zone: no zone resource, the given id", async () => {
    const d = await build({ existingZoneId: "Z123" });
    expect(d.names()).not.toContain("dns-zone");
    expect(d.names()).toContain("dns-external-dns-role");
  });

  it("throws one ArgsError with every problem before registering anything", async () => {
    let error: unknown;
    const d = await onEngine(() => {
      const aws = createAwsContext({ tags: {} });
      try {
        new PlatformDns("dns", {
          zoneName: "p.other.org",
          parentDomain: "example.com",
          existingZoneId: "Z1",
          delegation: { parentZoneId: "Z2" },
          iamPrefix: "p",
          aws,
        });
      } catch (e) {
        error = e;
      }
    });
    expect(error).toEqual(
      new ArgsError("PlatformDns", "dns", [
        {
          path: "zoneName",
          message:
            "zone p.other.org is not under the parent domain example.com: use a zone name ending in .example.com",
        },
        {
          path: "delegation",
          message:
            "is for a zone the program creates; an adopted zone (existingZoneId) is delegated already: remove one",
        },
      ]),
    );
    expect((error as ArgsError).problems.map((p) => p.path)).toEqual(["zoneName", "delegation"]);
    expect(d.names()).toEqual(["aws"]); // the context's provider only: nothing of PlatformDns
  });
});
