import { bareMetalInstallHttps, plainHttpDownloads } from "../../policy/rules/baremetal";
import { violations } from "./helpers";

const CMD = "command:remote:Command";

describe("baremetal-install-https", () => {
  it("passes installs fetched over https", async () => {
    const create = "set -eu\n  curl -sfL --retry 3 -o \"$installer\" 'https://get.rke2.io'\n";
    expect(await violations(bareMetalInstallHttps, CMD, { create })).toEqual([]);
  });

  it("fails a script or mirror fetched over plain http, naming each URL", async () => {
    const create = [
      "set -eu",
      "curl -sfL --retry 3 -o \"$installer\" 'http://mirror.lab/rke2/install.sh'",
      "echo see http://docs.lab/readme",
      'wget -q -O "$artifacts/x" http://mirror.lab/rke2/v1/x',
    ].join("\n");
    const found = await violations(bareMetalInstallHttps, CMD, { create });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^Nodes must fetch what they run as root over https: command .+ \(create\) downloads http:\/\/mirror\.lab\/rke2\/install\.sh, http:\/\/mirror\.lab\/rke2\/v1\/x over plain http; serve the mirror over https and remove cluster\.install\.insecure\.$/,
    );
  });

  it("ignores other resources and URLs that are not downloaded", async () => {
    expect(plainHttpDownloads("echo http://example.com\n")).toEqual([]);
    expect(
      await violations(bareMetalInstallHttps, "kubernetes:core/v1:ConfigMap", { create: "curl http://x" }),
    ).toEqual([]);
  });
});
