import {
  commitWebUrl,
  forgeOf,
  repoLocation,
  sameRepository,
} from "../../../automation/gitops/shared/repoUrl";

describe("repoLocation", () => {
  it.each([
    ["ssh://git@github.com/acme-telco/platform-fleet.git", "https://github.com/acme-telco/platform-fleet"],
    ["ssh://git@GitHub.com:22/acme-telco/platform-fleet", "https://github.com/acme-telco/platform-fleet"],
    ["git@gitlab.example.com:network/sub/fleet.git", "https://gitlab.example.com/network/sub/fleet"],
    ["https://gitlab.com/acme/fleet/", "https://gitlab.com/acme/fleet"],
    ["https://token@github.com/acme/fleet.git", "https://github.com/acme/fleet"],
  ])("%s is %s", (url, web) => expect(repoLocation(url)?.web).toBe(web));

  it.each([
    "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/fleet",
    "https://github.com/acme",
    "/srv/git/fleet.git",
    "not a url",
  ])("%s is no repository", (url) => expect(repoLocation(url)).toBeUndefined());
});

describe("sameRepository", () => {
  it("ignores the scheme, the user, .git and case", () => {
    expect(sameRepository("ssh://git@github.com/Acme/Fleet.git", "https://github.com/acme/fleet")).toBe(true);
    expect(sameRepository("git@github.com:acme/fleet.git", "https://github.com/acme/fleet-old")).toBe(false);
    expect(sameRepository("https://github.com/acme/fleet", "https://gitlab.com/acme/fleet")).toBe(false);
  });
});

describe("commitWebUrl", () => {
  const sha = "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39";
  it("knows GitHub's and GitLab's commit pages", () => {
    expect(commitWebUrl("git@github.example.com:acme/fleet.git", sha)).toBe(
      `https://github.example.com/acme/fleet/commit/${sha}`,
    );
    expect(commitWebUrl("https://gitlab.com/acme/group/fleet.git", sha)).toBe(
      `https://gitlab.com/acme/group/fleet/-/commit/${sha}`,
    );
    expect(commitWebUrl("https://git.example.com/acme/fleet.git", sha)).toBeUndefined();
    expect(commitWebUrl("https://github.com/acme/fleet.git", "main")).toBeUndefined();
    expect(forgeOf("mygithub.example.com")).toBeUndefined();
  });
});
