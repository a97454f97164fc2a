import {
  resolveBareMetalClusterArgs,
  scripts,
  type BareMetalClusterArgs,
} from "../../components/cluster/baremetal";
import {
  bareMetalInstallHttps,
  bareMetalInstallPinned,
  plainHttpDownloads,
  unpinnedInstalls,
} from "../../policy/rules/baremetal";
import { clusterArgs } from "../unit/components/cluster/baremetal/fixtures";
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

describe("baremetal-install-pinned", () => {
  const PIN = "c".repeat(64);
  /** The install script the component renders for the first agent, run as `user`. */
  const installOf = (install: BareMetalClusterArgs["install"], user = "root") => {
    const c = resolveBareMetalClusterArgs(clusterArgs({ install }));
    return scripts.asRoot(scripts.installScript(c, c.nodes[3]), user);
  };
  const mirror = { mode: "airgap" as const, mirrorUrl: "https://m.example.net/rke2/{version}" };

  it("passes installs whose script (and, air-gapped, checksum file) are pinned, also through sudo", async () => {
    for (const user of ["root", "ubuntu"]) {
      expect(
        await violations(bareMetalInstallPinned, CMD, { create: installOf({ scriptSha256: PIN }, user) }),
      ).toEqual([]);
      const create = installOf({ ...mirror, scriptSha256: PIN, checksumsSha256: PIN }, user);
      expect(await violations(bareMetalInstallPinned, CMD, { create })).toEqual([]);
    }
  });

  it("fails an unpinned online install, naming the setting", async () => {
    expect(await violations(bareMetalInstallPinned, CMD, { create: installOf(undefined) })).toEqual([
      expect.stringMatching(
        /^Nodes must check what they run as root against a pinned sha256: command .+ \(create\) installs without checking the install script \("\$installer"\); set cluster\.install\.scriptSha256 \(docs\/bare-metal\.md says how to get the digests\)\.$/,
      ),
    ]);
  });

  it("fails an air-gapped install missing either pin", async () => {
    expect(unpinnedInstalls(installOf({ ...mirror, scriptSha256: PIN }))).toEqual([
      "the release's checksum file",
    ]);
    expect(unpinnedInstalls(installOf({ ...mirror, checksumsSha256: PIN }, "ubuntu"))).toEqual([
      'the install script ("$artifacts/install.sh")',
    ]);
    const found = await violations(bareMetalInstallPinned, CMD, { create: installOf(mirror) });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      'installs without checking the install script ("$artifacts/install.sh") and the release\'s checksum file; set cluster.install.scriptSha256 and cluster.install.checksumsSha256 (',
    );
    const k3s = resolveBareMetalClusterArgs(
      clusterArgs({
        distribution: "k3s",
        version: "v1.31.4+k3s1",
        install: { ...mirror, scriptSha256: PIN },
      }),
    );
    expect(unpinnedInstalls(scripts.installScript(k3s, k3s.nodes[0]))).toEqual([
      "the release's checksum file",
    ]);
  });

  it("a check of another file, or a digest that is not one, does not count", async () => {
    const create = [
      "verify_sha256 \"$other\" 'cccc' 'x' 'y'",
      `verify_sha256 "$other" '${PIN}' 'x' 'y'`,
      `INSTALL_RKE2_VERSION="$version" INSTALL_RKE2_TYPE='agent' sh "$installer"`,
    ].join("\n");
    expect(unpinnedInstalls(create)).toEqual(['the install script ("$installer")']);
    expect(unpinnedInstalls("echo nothing installed here\n")).toEqual([]);
    expect(await violations(bareMetalInstallPinned, "kubernetes:core/v1:ConfigMap", { create })).toEqual([]);
  });
});
