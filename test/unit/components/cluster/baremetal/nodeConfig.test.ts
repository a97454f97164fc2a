import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  apiUrl,
  decryptKubeconfig,
  encryptKubeconfig,
  renderNodeConfig,
  rewriteKubeconfig,
  scripts,
} from "../../../../../components/cluster/baremetal";
import { placeholderKubeconfig } from "../../../../../automation/render/placeholders";
import { node, resolve } from "./fixtures";

describe("renderNodeConfig", () => {
  it("renders the first server: no server address, SANs with the endpoint, CNI, CIDRs, disabled components, CIS", () => {
    const c = resolve({
      cni: "cilium",
      disable: ["rke2-ingress-nginx"],
      cis: true,
      kubeletArgs: ["max-pods=200"],
    });
    const text = renderNodeConfig(c, node(c, "s1"));
    expect(text.split("\n")[0]).toBe(
      "# RKE2 config of node s1 (cluster de-prod), rendered by the platform program: edits are overwritten.",
    );
    expect(parse(text)).toEqual({
      "token-file": "/etc/rancher/rke2/platform-token",
      "node-name": "s1",
      "tls-san": ["api.example.net", "10.0.0.10"],
      "write-kubeconfig-mode": "0600",
      "cluster-cidr": "10.42.0.0/16",
      "service-cidr": "10.43.0.0/16",
      cni: "cilium",
      disable: ["rke2-ingress-nginx"],
      profile: "cis",
      "kubelet-arg": ["max-pods=200"],
    });
  });

  it("renders a joining server and an agent with the join address, labels, taints and kubelet args", () => {
    const c = resolve({ joinAddress: "10.0.0.10" });
    expect(parse(renderNodeConfig(c, node(c, "s2")))).toMatchObject({
      server: "https://10.0.0.10:9345",
      "node-name": "s2",
    });
    expect(parse(renderNodeConfig(c, node(c, "a1")))).toEqual({
      "token-file": "/etc/rancher/rke2/platform-token",
      "node-name": "a1",
      server: "https://10.0.0.10:9345",
      "node-label": ["pool=cnf"],
      "node-taint": ["dedicated=cnf:NoSchedule"],
    });
  });

  it("renders k3s: cluster-init on the first server, port 6443 for joins, flannel off for cni none", () => {
    const c = resolve({
      distribution: "k3s",
      version: "v1.31.4+k3s1",
      cni: "none",
      servers: [{ host: "10.0.0.11", name: "s1", address: "192.168.0.11" }],
    });
    expect(parse(renderNodeConfig(c, node(c, "s1")))).toEqual({
      "token-file": "/etc/rancher/k3s/platform-token",
      "node-name": "s1",
      "node-ip": "192.168.0.11",
      "cluster-init": true,
      "tls-san": ["api.example.net", "10.0.0.10"],
      "write-kubeconfig-mode": "0600",
      "cluster-cidr": "10.42.0.0/16",
      "service-cidr": "10.43.0.0/16",
      "flannel-backend": "none",
      "disable-network-policy": true,
    });
    expect(parse(renderNodeConfig(c, node(c, "a2")))).toMatchObject({ server: "https://192.168.0.11:6443" });
  });

  it("never contains the token, only the token file", () => {
    const c = resolve();
    for (const n of c.nodes) expect(renderNodeConfig(c, n)).not.toMatch(/^token:/m);
  });
});

describe("rewriteKubeconfig", () => {
  it("points every cluster at the API endpoint and names everything after the cluster, keeping credentials", () => {
    const out = parse(
      rewriteKubeconfig(placeholderKubeconfig("x"), apiUrl("api.example.net", 6443), "de-prod"),
    );
    expect(out.clusters).toEqual([
      {
        name: "de-prod",
        cluster: {
          "certificate-authority-data": "UExBQ0VIT0xERVItQ0E=",
          server: "https://api.example.net:6443",
        },
      },
    ]);
    expect(out.contexts).toEqual([{ name: "de-prod", context: { cluster: "de-prod", user: "de-prod" } }]);
    expect(out["current-context"]).toBe("de-prod");
    expect(out.users[0]).toEqual({
      name: "de-prod",
      user: {
        "client-certificate-data": "UExBQ0VIT0xERVItQ0VSVA==",
        "client-key-data": "UExBQ0VIT0xERVItS0VZ",
      },
    });
  });

  it("decrypts what the kubeconfig step prints, produced by the real openssl with the step's own arguments", () => {
    const c = resolve();
    const dir = mkdtempSync(path.join(os.tmpdir(), "kc-"));
    try {
      const file = path.join(dir, "rke2.yaml");
      writeFileSync(file, placeholderKubeconfig("x"));
      const line = scripts.kubeconfigScript(c).split("\n").pop() ?? "";
      expect(line).toBe(
        "openssl enc -aes-256-cbc -pbkdf2 -iter 100000 -md sha256 -salt -pass stdin -a -A -in '/etc/rancher/rke2/rke2.yaml'",
      );
      const r = spawnSync("bash", ["-c", line.replace("'/etc/rancher/rke2/rke2.yaml'", `'${file}'`)], {
        input: "the-key",
        encoding: "utf8",
      });
      if (r.error) throw new Error(`openssl is needed for this test: ${r.error.message}`);
      expect(r.stderr).toBe("");
      expect(r.stdout).not.toContain("UExBQ0VIT0xERVItS0VZ");
      expect(decryptKubeconfig(r.stdout, "the-key")).toBe(placeholderKubeconfig("x"));
      expect(() => decryptKubeconfig(r.stdout, "another-key")).toThrow(
        "the kubeconfig read from the first server does not decrypt with the cluster's kubeconfig key",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says what to check when the step printed no encrypted data", () => {
    expect(() => decryptKubeconfig("apiVersion: v1", "k")).toThrow(
      "the kubeconfig step printed no openssl-encrypted data: check that openssl (1.1.1 or newer) is installed on the first server",
    );
  });

  it("encrypts in the same format (the offline render's stand-in)", () => {
    const out = encryptKubeconfig("kind: Config\n", "k", Buffer.alloc(8, 1));
    expect(Buffer.from(out, "base64").subarray(0, 8).toString("latin1")).toBe("Salted__");
    expect(decryptKubeconfig(out, "k")).toBe("kind: Config\n");
  });

  it("brackets an IPv6 endpoint", () => {
    expect(apiUrl("fd00::10", 6443)).toBe("https://[fd00::10]:6443");
  });

  it.each([
    ["not YAML", "a: [", "the kubeconfig read from the first server is not valid YAML"],
    [
      "no cluster",
      "apiVersion: v1\nkind: Config\nclusters: []\n",
      "the kubeconfig read from the first server has no cluster entry",
    ],
  ])("rejects a kubeconfig that is %s", (_what, text, message) => {
    expect(() => rewriteKubeconfig(text, "https://x:6443", "c")).toThrow(message);
  });
});
