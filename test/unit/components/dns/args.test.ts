import { fakeAwsContext as ctx } from "../../../helpers/awsContext";
import { isUnderDomain, resolvePlatformDnsArgs, type PlatformDnsArgs } from "../../../../components/dns";

describe("PlatformDns arguments", () => {
  it.each<[string, string, boolean]>([
    ["de-dev.telco.example.com", "telco.example.com", true],
    ["a.b.telco.example.com.", "telco.example.com", true],
    ["telco.example.com", "telco.example.com", false],
    ["xtelco.example.com", "telco.example.com", false],
    ["de-dev.example.org", "telco.example.com", false],
  ])("%s under %s: %s", (zone, parent, under) => expect(isUnderDomain(zone, parent)).toBe(under));

  it("resolves PlatformDns defaults and rejects a zone outside its parent", () => {
    const base: PlatformDnsArgs = {
      zoneName: "p.example.com",
      parentDomain: "example.com",
      iamPrefix: "p",
      aws: ctx,
    };
    const r = resolvePlatformDnsArgs({ ...base, delegation: { parentZoneId: "Z1" } });
    expect([r.dnssec, r.externalDns, r.certManager, r.delegation?.ttl]).toEqual([
      false,
      { namespace: "external-dns", serviceAccount: "external-dns" },
      { namespace: "cert-manager", serviceAccount: "cert-manager" },
      3600,
    ]);
    expect(() =>
      resolvePlatformDnsArgs({
        ...base,
        zoneName: "p.other.org",
        existingZoneId: "Z2",
        delegation: { parentZoneId: "Z1" },
      }),
    ).toThrow(
      "invalid PlatformDns arguments, 2 problems:\n" +
        "  - zoneName: zone p.other.org is not under the parent domain example.com: use a zone name ending in .example.com\n" +
        "  - delegation: is for a zone the program creates; an adopted zone (existingZoneId) is delegated already: remove one",
    );
  });
});
