import {
  InstallManifestError,
  installManifestSource,
  installManifestUrl,
  mergePatch,
  renderFluxInstance,
  transformInstallManifests,
} from "../../../../components/flux/manifests";
import type { K8sObject } from "../../../../components/flux/objects";
import { installFixture, parse, withValues } from "../../../helpers/platform";

const installOf = (install: Record<string, unknown>) => parse(withValues({ flux: { install } })).flux.install;
const ids = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
const deployment = (objs: K8sObject[], name: string) =>
  objs.find((o) => o.kind === "Deployment" && o.metadata.name === name) as K8sObject & {
    spec: {
      template: {
        spec: {
          containers: { image: string; args: string[] }[];
          imagePullSecrets?: unknown;
          tolerations?: unknown;
          nodeSelector?: unknown;
        };
      };
    };
  };

describe("install manifest source", () => {
  it("is the release asset of the pinned version by default", () => {
    expect(installManifestUrl("2.9.4")).toBe(
      "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml",
    );
    expect(installManifestSource("2.9.4", installOf({}))).toEqual({
      url: "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml",
    });
  });
  it("can be a mirror or a local file", () => {
    expect(
      installManifestSource(
        "2.9.4",
        installOf({ manifests: { url: "https://mirror.example.com/flux/{version}/install.yaml" } }),
      ),
    ).toEqual({
      url: "https://mirror.example.com/flux/2.9.4/install.yaml",
    });
    expect(
      installManifestSource("2.9.4", installOf({ manifests: { file: "vendor/flux/install.yaml" } })),
    ).toEqual({ file: "vendor/flux/install.yaml" });
  });
});

describe("transformInstallManifests", () => {
  it("keeps the default components, drops the Namespace the bootstrap creates, leaves upstream settings alone", () => {
    const out = transformInstallManifests(installFixture(), installOf({}), { skipAwait: false });
    expect(ids(out)).toEqual([
      "CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io",
      "CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io",
      "ClusterRole/crd-controller-flux-system",
      "NetworkPolicy/allow-egress",
      "ServiceAccount/source-controller",
      "Deployment/source-controller",
      "Deployment/kustomize-controller",
    ]);
    expect(deployment(out, "source-controller").spec.template.spec).toEqual(
      deployment(installFixture(), "source-controller").spec.template.spec,
    );
    // The only annotation: each Deployment waits for the install's CRDs (Flux applies them first).
    expect(out.map((o) => [o.kind, o.metadata.name, o.metadata.annotations])).toEqual(
      out.map((o) => [
        o.kind,
        o.metadata.name,
        o.kind === "Deployment"
          ? {
              "config.kubernetes.io/depends-on":
                "apiextensions.k8s.io/CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io," +
                "apiextensions.k8s.io/CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io",
            }
          : undefined,
      ]),
    );
  });

  it("adds extra components, drops network policies when off", () => {
    const out = transformInstallManifests(
      installFixture(),
      installOf({ extraComponents: ["image-reflector-controller"], networkPolicy: false }),
      { skipAwait: false },
    );
    expect(ids(out)).toContain("Deployment/image-reflector-controller");
    expect(ids(out)).toContain("CustomResourceDefinition/imagerepositories.image.toolkit.fluxcd.io");
    expect(ids(out)).not.toContain("NetworkPolicy/allow-egress");
  });

  it("applies registry, pull secret, tolerations, node selector, cluster domain and log level", () => {
    const install = installOf({
      registry: "registry.example.com/fluxcd/",
      tolerations: [{ key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" }],
      nodeSelector: { "node-role": "infra" },
      clusterDomain: "telco.local",
      logLevel: "debug",
    });
    const out = transformInstallManifests(installFixture(), install, {
      imagePullSecret: "flux-registry",
      skipAwait: false,
    });
    expect(deployment(out, "source-controller").spec.template.spec).toEqual({
      serviceAccountName: "source-controller",
      containers: [
        {
          name: "manager",
          image: "registry.example.com/fluxcd/source-controller:v1.9.4",
          args: [
            "--events-addr=http://notification-controller.flux-system.svc.telco.local./",
            "--watch-all-namespaces=true",
            "--log-level=debug",
            "--log-encoding=json",
          ],
        },
      ],
      imagePullSecrets: [{ name: "flux-registry" }],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" }],
      nodeSelector: { "node-role": "infra" },
    });
  });

  it("sets --requeue-dependency on the controllers that follow dependsOn, replacing upstream's, and nowhere else", () => {
    const fixture = installFixture();
    deployment(fixture, "kustomize-controller").spec.template.spec.containers[0].args.push(
      "--requeue-dependency=30s",
    );
    const out = transformInstallManifests(fixture, installOf({ requeueDependency: "5s" }), {
      skipAwait: false,
    });
    const args = (name: string) => deployment(out, name).spec.template.spec.containers[0].args;
    expect(args("kustomize-controller").filter((a) => a.startsWith("--requeue-dependency"))).toEqual([
      "--requeue-dependency=5s",
    ]);
    expect(args("source-controller")).toEqual(
      deployment(installFixture(), "source-controller").spec.template.spec.containers[0].args,
    );
    const untouched = transformInstallManifests(installFixture(), installOf({}), { skipAwait: false });
    expect(deployment(untouched, "kustomize-controller").spec.template.spec.containers[0].args).toEqual(
      deployment(installFixture(), "kustomize-controller").spec.template.spec.containers[0].args,
    );
  });

  it("annotates every object to skip readiness waiting when asked", () => {
    const out = transformInstallManifests(installFixture(), installOf({}), { skipAwait: true });
    expect(out.every((o) => o.metadata.annotations?.["pulumi.com/skipAwait"] === "true")).toBe(true);
  });

  it("applies merge patches and JSON 6902 patches to their targets only, in order", () => {
    const install = installOf({
      patches: [
        {
          target: { kind: "Deployment", labels: { "app.kubernetes.io/component": "kustomize-controller" } },
          patch: { spec: { replicas: 2 } },
        },
        {
          target: { kind: "Deployment", name: "source-controller" },
          patch: [{ op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--concurrent=10" }],
        },
      ],
    });
    const out = transformInstallManifests(installFixture(), install, { skipAwait: false });
    expect((deployment(out, "kustomize-controller").spec as unknown as { replicas: number }).replicas).toBe(
      2,
    );
    expect(
      (deployment(out, "source-controller").spec as unknown as { replicas?: number }).replicas,
    ).toBeUndefined();
    expect(deployment(out, "source-controller").spec.template.spec.containers[0].args.at(-1)).toBe(
      "--concurrent=10",
    );
  });

  it("does not modify its input", () => {
    const input = installFixture();
    const before = JSON.stringify(input);
    transformInstallManifests(
      input,
      installOf({
        registry: "r.example.com",
        patches: [{ target: { kind: "Deployment" }, patch: { spec: { replicas: 3 } } }],
      }),
      { skipAwait: true },
    );
    expect(JSON.stringify(input)).toBe(before);
  });

  it.each([
    [
      "a target that matches nothing",
      [{ target: { kind: "Deployment", name: "sourcecontroller" }, patch: { spec: {} } }],
      'flux.install.patches.0: the target {"kind":"Deployment","name":"sourcecontroller"} matches no object of the install manifests: check kind, name and labels',
    ],
    [
      "a JSON patch that does not apply",
      [
        {
          target: { kind: "Deployment", name: "source-controller" },
          patch: [{ op: "replace", path: "/spec/nothing/here", value: 1 }],
        },
      ],
      "flux.install.patches.0: the patch does not apply to Deployment/source-controller: Cannot perform the operation at a path that does not exist",
    ],
  ])("fails clearly on %s", (_t, patches, message) => {
    const install = installOf({ patches });
    const [path, ...rest] = message.split(": ");
    expect(() => transformInstallManifests(installFixture(), install, { skipAwait: false })).toThrow(
      new InstallManifestError({ path, message: rest.join(": ") }),
    );
  });
});

describe("mergePatch (RFC 7386)", () => {
  it.each([
    [{ a: 1, b: { c: 2 } }, { b: { d: 3 } }, { a: 1, b: { c: 2, d: 3 } }],
    [{ a: 1, b: 2 }, { b: null }, { a: 1 }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, "x", "x"],
  ])("%j + %j", (target, patch, want) => expect(mergePatch(target, patch)).toEqual(want));
});

describe("renderFluxInstance (operator mode)", () => {
  it("adds --requeue-dependency to kustomize-controller and helm-controller by patch", () => {
    const spec = renderFluxInstance("2.9.4", installOf({ mode: "operator", requeueDependency: "5s" }))
      .spec as { kustomize: { patches: { target: unknown; patch: string }[] } };
    expect(spec.kustomize.patches).toEqual(
      ["kustomize-controller", "helm-controller"].map((name) => ({
        target: { kind: "Deployment", name },
        patch: JSON.stringify([
          { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--requeue-dependency=5s" },
        ]),
      })),
    );
  });

  it("expresses the same settings for the Flux Operator", () => {
    const install = installOf({
      mode: "operator",
      registry: "registry.example.com/fluxcd",
      extraComponents: ["source-watcher"],
      tolerations: [{ operator: "Exists" }],
      logLevel: "debug",
      clusterDomain: "telco.local",
      networkPolicy: false,
      operator: { clusterType: "openshift", size: "large", multitenant: true },
      patches: [{ target: { kind: "Deployment", labels: { app: "x" } }, patch: { spec: { replicas: 2 } } }],
    });
    expect(renderFluxInstance("2.9.4", install, "flux-registry")).toEqual({
      apiVersion: "fluxcd.controlplane.io/v1",
      kind: "FluxInstance",
      metadata: { name: "flux", namespace: "flux-system" },
      spec: {
        distribution: {
          version: "2.9.4",
          registry: "registry.example.com/fluxcd",
          imagePullSecret: "flux-registry",
        },
        components: [
          "source-controller",
          "kustomize-controller",
          "helm-controller",
          "notification-controller",
          "source-watcher",
        ],
        cluster: {
          type: "openshift",
          multitenant: true,
          networkPolicy: false,
          domain: "telco.local",
          size: "large",
        },
        kustomize: {
          patches: [
            {
              target: { kind: "Deployment" },
              patch: JSON.stringify({
                spec: { template: { spec: { tolerations: [{ operator: "Exists" }] } } },
              }),
            },
            {
              target: { kind: "Deployment" },
              patch: JSON.stringify([
                { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--log-level=debug" },
              ]),
            },
            {
              target: { kind: "Deployment", labelSelector: "app=x" },
              patch: JSON.stringify({ spec: { replicas: 2 } }),
            },
          ],
        },
      },
    });
  });
});
