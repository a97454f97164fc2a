import { isSemverConstraint } from "../../../../components/flux/problems";

describe("isSemverConstraint (Flux's Masterminds/semver v3 constraints)", () => {
  it.each([
    ">=1.0.0",
    ">=1.0.0 <2.0.0",
    ">= 1.2, < 3.0.0 || >= 4.2.3",
    "1.x",
    "1.2.X",
    "*",
    "~1.2",
    "~>1.2.3",
    "^1.2.3",
    "1.2.3 - 1.40.5",
    "v1.0.0",
    "=1.0.0",
    "!=1.0.1",
    ">=1.0.0-0",
    "1.0.0+build.5",
  ])("accepts %j", (r) => expect(isSemverConstraint(r)).toBe(true));

  it.each(["", "latest", "not a semver range!!", ">=", "1.2.3.4", ">=1.0.0 ||", "main"])("refuses %j", (r) =>
    expect(isSemverConstraint(r)).toBe(false),
  );
});
