import { redactUrl, urlProblems } from "../../../components/url";

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

  it("redacts userinfo", () => {
    expect(redactUrl("https://bot:hunter2@git.example.com/a")).toBe("https://***@git.example.com/a");
    expect(redactUrl("https://git.example.com/a@b")).toBe("https://git.example.com/a@b");
  });
});
