import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { transformInstallManifests } from "../../../components/flux/manifests";
import type { K8sObject } from "../../../components/flux/objects";
import type { KubeObject } from "../../e2e/harness/kube";
import {
  materialisePod,
  podFilesProblems,
  quantityBytes,
  rewriteMountPaths,
} from "../../e2e/harness/podFiles";
import { podTemplate, type Container } from "../../e2e/harness/podSpec";
import { installFixture, parse, withValues } from "../../helpers/platform";

const CA = fs.readFileSync(path.join(__dirname, "../../fixtures/fleet/tls/ca.crt"), "utf8");

/** source-controller as the program installs it with flux.install.trustedCAs, plus upstream's volumes and env. */
function sourceController(): KubeObject {
  const install = parse(withValues({ flux: { install: { trustedCAs: CA } } })).flux.install;
  const d = transformInstallManifests(installFixture(), install, { skipAwait: false }).find(
    (o) => o.kind === "Deployment" && o.metadata.name === "source-controller",
  ) as K8sObject & { spec: { template: { spec: { volumes: unknown[]; containers: Container[] } } } };
  const spec = d.spec.template.spec;
  spec.volumes.unshift({ name: "tmp", emptyDir: {} });
  const c = spec.containers[0];
  c.volumeMounts!.unshift({ name: "tmp", mountPath: "/tmp" });
  c.env!.unshift(
    { name: "RUNTIME_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "TUF_ROOT", value: "/tmp/.sigstore" },
    { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { resource: "limits.memory" } } },
  );
  c.resources = { limits: { memory: "1Gi" } };
  return d as unknown as KubeObject;
}

describe("the process kubelet's pod files", () => {
  it("accepts what the program installs: emptyDir and configMap volumes, literal, namespace and memory env", () => {
    const d = sourceController();
    expect(podFilesProblems(d, podTemplate(d).container!)).toEqual([]);
  });

  it("refuses a volume kind, a mount or an env source it does not understand", () => {
    const d = sourceController();
    const spec = (d.spec as { template: { spec: { volumes: unknown[]; containers: Container[] } } }).template
      .spec;
    spec.volumes.push({ name: "host", hostPath: { path: "/etc" } });
    const c = spec.containers[0];
    c.volumeMounts!.push(
      { name: "gone", mountPath: "/gone" },
      { name: "tmp", mountPath: "/x", subPath: "x" },
    );
    c.env!.push({ name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } } as never);
    expect(podFilesProblems(d, c)).toEqual([
      'Deployment flux-system/source-controller: volume "host" is hostPath; the process kubelet runs emptyDir, configMap and secret volumes only: not run',
      'Deployment flux-system/source-controller: mount /gone names volume "gone", which the pod does not have: not run',
      "Deployment flux-system/source-controller: mount /x uses a subPath, which the process kubelet does not run: not run",
      'Deployment flux-system/source-controller: env TOKEN comes from {"secretKeyRef":{"name":"s","key":"k"}}; the process kubelet resolves metadata.namespace and limits.memory only: not run',
    ]);
  });

  it("rewrites whole mount paths only", () => {
    const mounts: [string, string][] = [
      ["/etc/platform/trusted-cas", "/pods/sc/platform-trusted-cas"],
      ["/tmp", "/pods/sc/tmp"],
    ];
    expect(rewriteMountPaths("/etc/ssl/certs:/etc/platform/trusted-cas", mounts)).toBe(
      "/etc/ssl/certs:/pods/sc/platform-trusted-cas",
    );
    expect(rewriteMountPaths("/tmp/.sigstore", mounts)).toBe("/pods/sc/tmp/.sigstore");
    expect(rewriteMountPaths("/tmpfoo:/var/tmp", mounts)).toBe("/tmpfoo:/var/tmp");
  });

  it("reads memory quantities as a kubelet does", () => {
    expect([
      quantityBytes("1Gi"),
      quantityBytes("512Mi"),
      quantityBytes("1G"),
      quantityBytes("1.5Gi"),
    ]).toEqual([1073741824, 536870912, 1000000000, undefined]);
  });

  it("writes the mounted ConfigMap into the pod's folder and gives the container's env with its paths there", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "podfiles-"));
    try {
      const d = sourceController();
      const got: string[] = [];
      const env = await materialisePod({
        d,
        container: podTemplate(d).container!,
        dir: path.join(dir, "source-controller"),
        memoryDir: path.join(dir, "shm", "source-controller"),
        namespace: "flux-system",
        get: async (kind, name, ns) => {
          got.push(`${kind} ${ns}/${name}`);
          return { apiVersion: "v1", kind, metadata: { name, namespace: ns }, data: { "ca.crt": CA } };
        },
      });
      expect(got).toEqual(["ConfigMap flux-system/flux-trusted-cas"]);
      const pod = path.join(dir, "source-controller");
      expect(env).toEqual({
        TMPDIR: `${pod}/tmp`,
        RUNTIME_NAMESPACE: "flux-system",
        TUF_ROOT: `${pod}/tmp/.sigstore`,
        GOMEMLIMIT: "1073741824",
        SSL_CERT_DIR: `/etc/ssl/certs:/etc/pki/tls/certs:${pod}/platform-trusted-cas`,
      });
      expect(fs.readdirSync(pod).sort()).toEqual(["platform-trusted-cas", "tmp"]);
      expect(fs.readFileSync(path.join(pod, "platform-trusted-cas", "ca.crt"), "utf8")).toBe(CA);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not start a pod whose ConfigMap is not there yet", async () => {
    const d = sourceController();
    await expect(
      materialisePod({
        d,
        container: podTemplate(d).container!,
        dir: fs.mkdtempSync(path.join(os.tmpdir(), "podfiles-")),
        memoryDir: undefined,
        namespace: "flux-system",
        get: async () => undefined,
      }),
    ).rejects.toThrow(
      "Deployment flux-system/source-controller: ConfigMap flux-system/flux-trusted-cas (volume platform-trusted-cas) does not exist yet",
    );
  });

  it("makes an emptyDir of medium Memory on the tmpfs folder given, and the /tmp volume the process's TMPDIR", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "podfiles-"));
    try {
      const d = sourceController();
      const spec = (d.spec as { template: { spec: { volumes: { name: string; emptyDir?: object }[] } } })
        .template.spec;
      spec.volumes[0] = { name: "tmp", emptyDir: { medium: "Memory" } };
      const pod = path.join(dir, "source-controller");
      const shm = path.join(dir, "shm", "source-controller");
      const env = await materialisePod({
        d,
        container: podTemplate(d).container!,
        dir: pod,
        memoryDir: shm,
        namespace: "flux-system",
        get: async (kind, name, ns) => ({
          apiVersion: "v1",
          kind,
          metadata: { name, namespace: ns },
          data: { "ca.crt": CA },
        }),
      });
      expect(env.TMPDIR).toBe(`${pod}/tmp`);
      expect(fs.readlinkSync(path.join(pod, "tmp"))).toBe(path.join(shm, "tmp"));
      expect(fs.readdirSync(shm)).toEqual(["tmp"]);
      await expect(
        materialisePod({
          d,
          container: podTemplate(d).container!,
          dir: pod,
          memoryDir: undefined,
          namespace: "flux-system",
          get: async () => undefined,
        }),
      ).rejects.toThrow(
        "Deployment flux-system/source-controller: volume tmp is an emptyDir of medium Memory and this machine has no tmpfs at /dev/shm to make it on",
      );
      spec.volumes[0] = { name: "tmp", emptyDir: { medium: "HugePages-2Mi" } };
      expect(podFilesProblems(d, podTemplate(d).container!)).toEqual([
        'Deployment flux-system/source-controller: volume "tmp" is an emptyDir of medium "HugePages-2Mi"; the process kubelet runs the default medium and Memory only: not run',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
