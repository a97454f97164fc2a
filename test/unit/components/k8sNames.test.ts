import {
  dnsLabelProblem,
  dnsNameProblem,
  dnsSubdomainProblem,
  gitRefProblem,
  ipCidrsOverlap,
  ipInCidr,
  labelKeyProblem,
  labelValueProblem,
  parseIpCidr,
  semverRangeMatchesNothing,
  taintProblems,
  type IpCidr,
} from "../../../components/k8sNames";
import { stackNameProblem } from "../../../stacks/stackName";

const cidr = (text: string): IpCidr => {
  const r = parseIpCidr(text);
  if ("problem" in r) throw new Error(r.problem);
  return r.cidr;
};

describe("DNS names (apimachinery's rules)", () => {
  it.each([
    ["flux-system", undefined],
    ["a", undefined],
    ["x".repeat(63), undefined],
    ["x".repeat(64), "must be at most 63 characters (a DNS label), not 64"],
    [
      "Flux",
      "must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are",
    ],
    [
      "-a",
      "must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are",
    ],
    [
      "a.b",
      "must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are",
    ],
    [
      "",
      "must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are",
    ],
  ])("label %j → %s", (v, want) => expect(dnsLabelProblem(v)).toBe(want));

  it.each([
    ["flux-system", undefined],
    ["a.b.c", undefined],
    [`${"a".repeat(63)}.b`, undefined],
    [
      `${"a".repeat(64)}.b`,
      "has a part of 64 characters: each part between dots is a DNS label of at most 63",
    ],
    [Array(127).fill("ab").join("."), "must be at most 253 characters, not 380"],
    ["a..b", "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are"],
    ["a_b", "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are"],
    ["", "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are"],
  ])("subdomain %j → %s", (v, want) => expect(dnsSubdomainProblem(v)).toBe(want));

  it.each([
    ["cluster.local", undefined],
    ["cluster.local.", undefined],
    ["cluster.local\nx", "must not contain spaces, newlines or control characters"],
    ["cluster local", "must not contain spaces, newlines or control characters"],
    ["Cluster.Local", "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are"],
  ])("domain %j → %s", (v, want) => expect(dnsNameProblem(v)).toBe(want));
});

describe("labels and taints", () => {
  const KEY =
    "is not a valid label key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric, the prefix a DNS name";
  it.each([
    ["app", undefined],
    ["app.kubernetes.io/name", undefined],
    ["node-role.kubernetes.io/control-plane", undefined],
    ["CriticalAddonsOnly", undefined],
    ["a/b/c", KEY],
    ["Example.com/x", KEY],
    ["/x", KEY],
    ["x/", KEY],
    ["x".repeat(64), KEY],
    ["two words", KEY],
  ])("key %j → %s", (k, want) => expect(labelKeyProblem(k)).toBe(want));

  const VALUE =
    "is not a valid label value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)";
  it.each([
    ["", undefined],
    ["true", undefined],
    ["A_b.c-9", undefined],
    ["x".repeat(63), undefined],
    ["x".repeat(64), `"${"x".repeat(64)}" ${VALUE}`],
    ["two words", `"two words" ${VALUE}`],
    ["a\nb", `"a\\nb" ${VALUE}`],
    ["-a", `"-a" ${VALUE}`],
  ])("value %j → %s", (v, want) => expect(labelValueProblem(v)).toBe(want));

  it("a taint: its key and value by the label rules, each under its field", () => {
    expect(taintProblems({ key: "dedicated", value: "gpu" })).toEqual([]);
    expect(taintProblems({ key: "dedicated" })).toEqual([]);
    expect(taintProblems({ key: "a b", value: "x y" })).toEqual([
      {
        field: "key",
        message: `"a b" is not a valid taint key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric, the prefix a DNS name, e.g. node-role.kubernetes.io/control-plane`,
      },
      {
        field: "value",
        message: `"x y" is not a valid taint value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)`,
      },
    ]);
  });
});

describe("CIDRs of both families", () => {
  const NOT =
    "is not a valid CIDR: write a network such as 10.42.0.0/16 (octets up to 255, prefix up to /32) or fd00:10:42::/56 (prefix up to /128)";
  it.each([
    ["10.42.0.0/16", undefined],
    ["0.0.0.0/0", undefined],
    ["192.168.1.7/32", undefined],
    ["fd00:10:42::/56", undefined],
    ["::/0", undefined],
    ["2001:db8:0:0:0:0:0:0/32", undefined],
    ["1:2:3:4:5:6:7:8/128", undefined],
    ["10.42.0.1/16", "10.42.0.1/16 has host bits set: write the network itself, 10.42.0.0/16"],
    ["fd00:10:42::1/56", "fd00:10:42::1/56 has host bits set: write the network itself, fd00:10:42::/56"],
    [
      "2001:db8:0:0:1::1/64",
      "2001:db8:0:0:1::1/64 has host bits set: write the network itself, 2001:db8::/64",
    ],
    ["10.42.0.0/33", `"10.42.0.0/33" ${NOT}`],
    ["256.0.0.0/8", `"256.0.0.0/8" ${NOT}`],
    ["010.0.0.0/8", `"010.0.0.0/8" ${NOT}`],
    ["10.42.0.0", `"10.42.0.0" ${NOT}`],
    ["10.42.0.0/", `"10.42.0.0/" ${NOT}`],
    ["fd00::/129", `"fd00::/129" ${NOT}`],
    ["fd00::1::/64", `"fd00::1::/64" ${NOT}`],
    ["fd00:1:2:3:4:5:6:7:8/64", `"fd00:1:2:3:4:5:6:7:8/64" ${NOT}`],
    ["fd00:12345::/32", `"fd00:12345::/32" ${NOT}`],
    ["1:2:3:4:5:6:7/64", `"1:2:3:4:5:6:7/64" ${NOT}`],
    ["g::/8", `"g::/8" ${NOT}`],
    ["10.42.0.0/16\n", `"10.42.0.0/16\\n" ${NOT}`],
  ])("%j → %s", (text, want) => {
    const r = parseIpCidr(text);
    expect("problem" in r ? r.problem : undefined).toBe(want);
  });

  it.each([
    ["10.42.0.0/16", "10.43.0.0/16", false],
    ["10.42.0.0/16", "10.42.255.0/24", true],
    ["10.0.0.0/8", "10.42.0.0/16", true],
    ["10.42.0.0/16", "10.42.0.0/16", true],
    ["fd00:10:42::/48", "fd00:10:42:1::/112", true],
    ["fd00:10:42::/56", "fd00:10:43::/56", false],
    ["10.42.0.0/16", "::/0", false],
  ])("%s and %s overlap: %s", (a, b, want) => {
    expect(ipCidrsOverlap(cidr(a), cidr(b))).toBe(want);
    expect(ipCidrsOverlap(cidr(b), cidr(a))).toBe(want);
  });

  it.each([
    ["10.20.0.11", "10.20.0.0/16", true],
    ["10.21.0.11", "10.20.0.0/16", false],
    ["fd00::5", "fd00::/64", true],
    ["fd00::5", "10.0.0.0/8", false],
    ["node-1.example.com", "10.0.0.0/8", false],
  ])("%s in %s: %s", (ip, c, want) => expect(ipInCidr(ip, cidr(c))).toBe(want));
});

describe("Git refs (git check-ref-format --branch)", () => {
  const bad = (ref: string, why: string) =>
    `${JSON.stringify(ref)} is not a ref Git accepts (git check-ref-format): it ${why}`;
  it.each([
    ["main", undefined],
    ["release/1.4", undefined],
    ["v1.4.0", undefined],
    ["refs/heads/main", undefined],
    ["feature-x_y", undefined],
    ["", "is empty"],
    ["main branch", "contains a space, newline or control character"],
    ["main\n", "contains a space, newline or control character"],
    ["a\tb", "contains a space, newline or control character"],
    ["a\x7fb", "contains a space, newline or control character"],
    ["a~1", "contains one of ~ ^ : ? * [ \\"],
    ["a^", "contains one of ~ ^ : ? * [ \\"],
    ["a:b", "contains one of ~ ^ : ? * [ \\"],
    ["a?", "contains one of ~ ^ : ? * [ \\"],
    ["a*", "contains one of ~ ^ : ? * [ \\"],
    ["a[b", "contains one of ~ ^ : ? * [ \\"],
    ["a\\b", "contains one of ~ ^ : ? * [ \\"],
    ["a..b", 'contains ".."'],
    ["a@{1}", 'contains "@{" or is "@"'],
    ["@", 'contains "@{" or is "@"'],
    ["-main", 'starts with "-"'],
    ["/main", 'starts or ends with "/" or contains "//"'],
    ["main/", 'starts or ends with "/" or contains "//"'],
    ["a//b", 'starts or ends with "/" or contains "//"'],
    ["main.", 'ends with "."'],
    [".main", 'has a part starting with "." or ending with ".lock"'],
    ["a/.b", 'has a part starting with "." or ending with ".lock"'],
    ["main.lock", 'has a part starting with "." or ending with ".lock"'],
    ["a.lock/b", 'has a part starting with "." or ending with ".lock"'],
  ])("%j → %s", (ref, why) => expect(gitRefProblem(ref)).toBe(why === undefined ? undefined : bad(ref, why)));
});

describe("semver ranges that can match a release", () => {
  it.each([
    [">=1.0.0 <2.0.0", false],
    ["1.x", false],
    ["~> 1.2", false],
    ["^0.0.1", false],
    ["*", false],
    [">=1.0.0, <2.0.0", false],
    ["!=1.0.0", false],
    [">2.0.0 <1.0.0", true],
    [">=1.0.0, <1.0.0", true],
    ["<0.0.0", true],
    [">1.0.0 <1.0.1-0", true],
  ])("%j matches nothing: %s", (range, nothing) =>
    expect(semverRangeMatchesNothing(range) !== undefined).toBe(nothing),
  );
});

describe("stack names (Pulumi's rule, never a path)", () => {
  it.each([
    ["dev", true],
    ["de-prod", true],
    ["eu.west_1", true],
    ["x".repeat(100), true],
    ["x".repeat(101), false],
    ["../x", false],
    ["..", false],
    ["a..b", false],
    [".hidden", false],
    ["a/b", false],
    ["a\\b", false],
    ["a b", false],
    ["dev\n", false],
    ["", false],
    ["org/project/dev", false],
  ])("%j is a stack name: %s", (name, ok) => expect(stackNameProblem(name) === undefined).toBe(ok));
});
