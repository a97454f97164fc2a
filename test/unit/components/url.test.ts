import { redactUrl, registryProblems, urlProblems } from "../../../components/url";

const GIT = { schemes: ["https", "ssh"], credentialsIn: "flux.auth" } as const;
const CRED =
  "must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in flux.auth";

describe("urlProblems", () => {
  it.each([
    ["https://git.example.com/acme/fleet.git", []],
    ["ssh://git@git.example.com/acme/fleet.git", []],
    ["git@git.example.com:acme/fleet.git", []],
    ["https://bot:hunter2@git.example.com/acme/fleet.git", [CRED]],
    ["https://ghp_abcdef0123456789@github.com/acme/fleet.git", [CRED]],
    ["ssh://git:hunter2@git.example.com/acme/fleet.git", [CRED]],
    ["git:hunter2@git.example.com:acme/fleet.git", [CRED]],
    ["ftp://git.example.com/fleet", ["must be an https:// or ssh:// URL, not ftp://"]],
    ["https://git.example.com/a b", ["must not contain spaces or control characters"]],
    ["https://git.example.com/a\nb", ["must not contain spaces or control characters"]],
    ["not a url", ["must not contain spaces or control characters"]],
    ["notaurl", ["must be a URL such as https://host/path"]],
  ])("%s", (url, expected) => {
    expect(urlProblems(url, GIT)).toEqual(expected);
  });

  it("refuses http:// to a remote host where TLS is required, accepts loopback and an explicit opt-out", () => {
    const rules = { schemes: ["https", "http"], credentialsIn: "a Secret" };
    expect(urlProblems("http://charts.example.com/x", rules)).toEqual([
      "must use https://: what is fetched from it is run or trusted, so it must come over TLS",
    ]);
    expect(urlProblems("http://127.0.0.1:5000/x", rules)).toEqual([]);
    expect(urlProblems("http://localhost/x", rules)).toEqual([]);
    expect(urlProblems("http://charts.example.com/x", { ...rules, tlsRequired: false })).toEqual([]);
  });

  it("redacts userinfo, the scp-like form's password and credential query parameters", () => {
    expect(redactUrl("https://bot:hunter2@git.example.com/a")).toBe("https://***@git.example.com/a");
    expect(redactUrl("https://git.example.com/a@b")).toBe("https://git.example.com/a@b");
    expect(redactUrl("git:hunter2@git.example.com:acme/fleet.git")).toBe(
      "***@git.example.com:acme/fleet.git",
    );
    expect(redactUrl("git@git.example.com:acme/fleet.git")).toBe("git@git.example.com:acme/fleet.git");
    expect(redactUrl("ssh://git@git.example.com/fleet.git")).toBe("ssh://git@git.example.com/fleet.git");
    expect(redactUrl("ssh://git:pw@git.example.com/fleet.git")).toBe("ssh://***@git.example.com/fleet.git");
    expect(redactUrl("https://token@git.example.com/fleet.git")).toBe(
      "https://***@git.example.com/fleet.git",
    );
    expect(redactUrl("https://h/x?ref=main&access_token=hunter2&X-Amz-Signature=abc")).toBe(
      "https://h/x?ref=main&access_token=***&X-Amz-Signature=***",
    );
    expect(redactUrl("https://h/x?%E0%A4%A=1")).toBe("https://h/x?%E0%A4%A=1");
  });

  it("finds credentials in the query and adds the TLS rule's second way out", () => {
    const rules = { schemes: ["https", "http"], credentialsIn: "a Secret" };
    expect(urlProblems("https://h/x?token=abc", rules)).toEqual([
      "must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in a Secret",
    ]);
    expect(urlProblems("https://h/x?ref=main", rules)).toEqual([]);
    expect(urlProblems("http://h/x", { ...rules, tlsFix: "or set insecure" })).toEqual([
      "must use https://: what is fetched from it is run or trusted, so it must come over TLS; or set insecure",
    ]);
  });

  it.each<[string, boolean, string[]]>([
    ["ghcr.io/fluxcd", false, []],
    ["registry.example.com:5000/mirror/fluxcd", false, []],
    ["localhost:5000", false, []],
    ["robot:hunter2@registry.example.com/fluxcd", false, [CRED.replace("flux.auth", "a pull Secret")]],
    ["robot@registry.example.com", false, [CRED.replace("flux.auth", "a pull Secret")]],
    [
      "https://registry.example.com/fluxcd",
      false,
      ["must be a registry host and path such as ghcr.io/fluxcd, without a scheme"],
    ],
    ["https://registry.example.com", true, []],
    ["https://robot:pw@registry.example.com", true, [CRED.replace("flux.auth", "a pull Secret")]],
    [
      "http://registry.example.com",
      true,
      ["must use https://: what is fetched from it is run or trusted, so it must come over TLS"],
    ],
    ["http://127.0.0.1:5000", true, []],
    ["registry example.com", false, ["must not contain spaces or control characters"]],
  ])("registry %s (url form %s)", (value, url, expected) => {
    expect(registryProblems(value, "a pull Secret", { url })).toEqual(expected);
  });
});
