import { ArgsError } from "../../../../../components/problems";
import {
  resolveBareMetalClusterArgs,
  bareMetalClusterProblems,
  type BareMetalClusterArgs,
} from "../../../../../components/cluster/baremetal";
import { clusterArgs, KEY } from "./fixtures";

const problems = (patch: Partial<BareMetalClusterArgs>) =>
  bareMetalClusterProblems(clusterArgs(patch)).map((p) => `${p.path}: ${p.message}`);

describe("bareMetalClusterProblems", () => {
  it("accepts the fixture", () => {
    expect(problems({})).toEqual([]);
  });

  const cases: [string, Partial<BareMetalClusterArgs>, string[]][] = [
    [
      "no server",
      { servers: [] },
      ["servers: is empty: list one server, or an odd number (3, 5, …) for high availability"],
    ],
    [
      "an even number of servers",
      { servers: [{ host: "10.0.0.11" }, { host: "10.0.0.12" }] },
      [
        "servers: has 2 servers, an even number, which cannot keep etcd quorum through a failure: use 1, or an odd number ≥ 3 (3, 5, …); put extra machines in agents",
      ],
    ],
    [
      "a duplicate host (across servers and agents, any case)",
      { servers: [{ host: "node-1.example.net" }], agents: [{ host: "NODE-1.example.net", name: "a1" }] },
      ["agents.0.host: NODE-1.example.net is also servers.0.host: each machine is listed once"],
    ],
    [
      "a duplicate node name",
      { servers: [{ host: "10.0.0.11", name: "n1" }], agents: [{ host: "10.0.0.12", name: "n1" }] },
      ["agents.0.name: node name n1 is also used by servers.0: node names are unique"],
    ],
    [
      "a host that is no node name",
      { servers: [{ host: "Node_1" }] },
      [
        'servers.0.name: is required: the host "Node_1" is not a valid Kubernetes node name, so give the node a name such as worker-1',
      ],
    ],
    [
      "a missing key",
      {
        ssh: { user: "root" },
        servers: [{ host: "10.0.0.11", ssh: { privateKey: KEY } }],
        agents: [{ host: "10.0.0.21" }],
      },
      [
        "agents.0.ssh.privateKey: no SSH private key for 10.0.0.21: set ssh.privateKey for every node (`pulumi config set --secret --path 'cluster.ssh.privateKey' < ~/.ssh/id_ed25519`), ssh.privateKeyPath, or this node's own",
      ],
    ],
    [
      "a key given twice",
      { ssh: { privateKey: KEY, privateKeyPath: "~/.ssh/id" } },
      ["ssh: give privateKey or privateKeyPath, not both"],
    ],
    [
      "an API endpoint missing from the TLS SANs",
      { apiEndpoint: "vip.example.net", tlsSans: ["api.example.net"] },
      [
        "apiEndpoint: vip.example.net is not in tlsSans, so the API server certificate would not be valid for it: add it to tlsSans",
      ],
    ],
    [
      "an RKE2 version without the release suffix",
      { version: "v1.31.4" },
      ['version: "v1.31.4" is not an exact RKE2 release: write the full release tag, e.g. v1.31.4+rke2r1'],
    ],
    [
      "a k3s version for RKE2",
      { version: "v1.31.4+k3s1" },
      [
        'version: "v1.31.4+k3s1" is not an exact RKE2 release: write the full release tag, e.g. v1.31.4+rke2r1',
      ],
    ],
    [
      "an RKE2 version for k3s",
      { distribution: "k3s", version: "1.31.4+rke2r1" },
      ['version: "1.31.4+rke2r1" is not an exact k3s release: write the full release tag, e.g. v1.31.4+k3s1'],
    ],
    [
      "an RKE2 CNI on k3s, CIS on k3s, RKE2 component names on k3s",
      {
        distribution: "k3s",
        version: "v1.31.4+k3s1",
        cni: "cilium",
        cis: true,
        disable: ["rke2-ingress-nginx"],
      },
      [
        "cni: cilium is not a k3s CNI: choose one of flannel, none",
        "cis: k3s has no CIS profile: use distribution rke2, or harden with kubeletArgs",
        "disable: rke2-ingress-nginx is not a k3s component: k3s names are e.g. traefik, servicelb, metrics-server, local-storage",
      ],
    ],
    [
      "a k3s component name on RKE2",
      { disable: ["traefik"] },
      ["disable: traefik is not a RKE2 component: RKE2 names start with rke2-, e.g. rke2-ingress-nginx"],
    ],
    [
      "an air-gapped install without a source",
      { install: { mode: "airgap" } },
      ["install: an air-gapped install needs exactly one of artifactsDir (a local folder) or mirrorUrl"],
    ],
    [
      "an air-gapped install with both sources",
      { install: { mode: "airgap", artifactsDir: "./a", mirrorUrl: "ftp://m" } },
      [
        "install: an air-gapped install needs exactly one of artifactsDir (a local folder) or mirrorUrl",
        "install.mirrorUrl: must be an https:// or http:// URL, not ftp://",
      ],
    ],
    [
      "artifacts on an online install",
      { install: { artifactsDir: "./a" } },
      ["install.mode: is online but artifactsDir or mirrorUrl is set: set mode airgap, or remove them"],
    ],
    [
      "pins that are not sha256 digests, and a checksum-file pin on an online install",
      { install: { scriptSha256: "abc", checksumsSha256: "z".repeat(64) } },
      [
        "install.scriptSha256: is not a sha256 digest: give the 64 hex digits `sha256sum <file>` prints (docs/bare-metal.md says how to get them)",
        "install.checksumsSha256: is not a sha256 digest: give the 64 hex digits `sha256sum <file>` prints (docs/bare-metal.md says how to get them)",
        "install.checksumsSha256: is for air-gapped installs: online, the install script checks the release against its own checksum file; pin install.scriptSha256, or set mode airgap",
      ],
    ],
    [
      "a bad taint key",
      { agents: [{ host: "10.0.1.21", taints: [{ key: "bad key", effect: "NoSchedule" }] }] },
      [
        `agents.0.taints.0.key: "bad key" is not a valid taint key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric, the prefix a DNS name, e.g. node-role.kubernetes.io/control-plane`,
      ],
    ],
    [
      "a bastion key given twice (cluster-wide and on a node)",
      {
        ssh: {
          privateKey: KEY,
          bastion: { host: "jump.example.net", privateKey: KEY, privateKeyPath: "/k" },
        },
        agents: [
          {
            host: "10.0.1.21",
            name: "a1",
            ssh: { bastion: { host: "jump-2.example.net", privateKey: KEY, privateKeyPath: "/k" } },
          },
        ],
      },
      [
        "agents.0.ssh.bastion: give privateKey or privateKeyPath, not both",
        "ssh.bastion: give privateKey or privateKeyPath, not both",
      ],
    ],
  ];
  it.each(cases)("rejects %s", (_what, patch, want) => {
    expect(problems(patch)).toEqual(want);
  });

  it("reports every problem at once", () => {
    expect(
      problems({
        version: "latest",
        servers: [{ host: "a" }, { host: "a" }, { host: "b" }],
        apiEndpoint: "x",
      }),
    ).toEqual([
      'version: "latest" is not an exact RKE2 release: write the full release tag, e.g. v1.31.4+rke2r1',
      "servers.1.host: a is also servers.0.host: each machine is listed once",
      "apiEndpoint: x is not in tlsSans, so the API server certificate would not be valid for it: add it to tlsSans",
    ]);
  });

  it("accepts a bastion, cluster-wide or per node, with or without its own key", () => {
    expect(problems({ ssh: { privateKey: KEY, bastion: { host: "jump.example.net" } } })).toEqual([]);
    expect(
      problems({
        agents: [
          {
            host: "10.0.1.21",
            name: "a1",
            ssh: { bastion: { host: "jump.example.net", port: 2222, user: "jump", privateKeyPath: "/k" } },
          },
        ],
      }),
    ).toEqual([]);
  });
});

describe("resolveBareMetalClusterArgs", () => {
  it("fills every default and orders servers before agents", () => {
    const c = resolveBareMetalClusterArgs({
      clusterName: "c",
      version: "v1.31.4+rke2r1",
      ssh: { privateKeyPath: "~/.ssh/id" },
      servers: [{ host: "S1.example.net" }],
    });
    expect({ ...c, facts: c.facts.label }).toEqual({
      clusterName: "c",
      distribution: "rke2",
      facts: "RKE2",
      version: "v1.31.4+rke2r1",
      nodes: [
        {
          key: "s1.example.net",
          host: "S1.example.net",
          role: "server",
          first: true,
          path: "servers.0",
          address: undefined,
          ssh: {
            user: "root",
            port: 22,
            privateKey: undefined,
            privateKeyPath: "~/.ssh/id",
            bastion: undefined,
          },
          labels: {},
          taints: [],
          kubeletArgs: [],
        },
      ],
      apiEndpoint: "S1.example.net",
      apiPort: 6443,
      joinAddress: "S1.example.net",
      tlsSans: ["S1.example.net"],
      install: {
        mode: "online",
        artifactsDir: undefined,
        mirrorUrl: undefined,
        scriptUrl: "https://get.rke2.io",
        arch: "amd64",
      },
      cni: "canal",
      clusterCidr: "10.42.0.0/16",
      serviceCidr: "10.43.0.0/16",
      disable: [],
      cis: false,
      readyTimeout: 600,
      drainTimeout: 300,
      retainOnDelete: true,
    });
  });

  it("merges node SSH settings over the cluster's and keeps explicit zero-like values", () => {
    const c = resolveBareMetalClusterArgs(
      clusterArgs({
        ssh: { user: "ubuntu", port: 2222, privateKey: "cluster-key", bastion: { host: "jump" } },
        agents: [
          {
            host: "10.0.1.21",
            name: "a1",
            address: "192.168.0.21",
            ssh: { user: "root", privateKeyPath: "/k" },
          },
        ],
        retainOnDelete: false,
        kubeletArgs: ["max-pods=200"],
      }),
    );
    const agent = c.nodes.find((n) => n.key === "a1");
    expect(agent?.ssh).toEqual({
      user: "root",
      port: 2222,
      privateKey: undefined,
      privateKeyPath: "/k",
      bastion: { host: "jump", port: 22, user: "root", privateKey: undefined, privateKeyPath: "/k" },
    });
    expect(c.nodes.map((n) => `${n.role}:${n.key}:${n.first}`)).toEqual([
      "server:s1:true",
      "server:s2:false",
      "server:s3:false",
      "agent:a1:false",
    ]);
    expect(c.retainOnDelete).toBe(false);
    expect(agent?.kubeletArgs).toEqual(["max-pods=200"]);
  });

  it("throws every problem in one ArgsError naming the component and the instance", () => {
    const args = clusterArgs({ servers: [], version: "1.31" });
    expect(() => resolveBareMetalClusterArgs(args)).toThrow(
      new ArgsError("BareMetalCluster", args.clusterName, [
        {
          path: "servers",
          message: "is empty: list one server, or an odd number (3, 5, …) for high availability",
        },
        {
          path: "version",
          message: '"1.31" is not an exact RKE2 release: write the full release tag, e.g. v1.31.4+rke2r1',
        },
      ]),
    );
  });
});
