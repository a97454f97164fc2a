import { platformTags } from "../../../stacks/aws";

describe("platform tags", () => {
  it("tags with platform:tags, the four platform tags winning", () => {
    expect(
      platformTags({
        name: "p",
        environment: "dev",
        owner: "team",
        tags: { platform: "spoof", "cost-center": "1" },
      }),
    ).toEqual({
      "cost-center": "1",
      platform: "p",
      environment: "dev",
      owner: "team",
      "managed-by": "pulumi",
    });
  });
});
