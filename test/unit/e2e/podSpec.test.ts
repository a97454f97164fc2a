/**
 * What the strict process kubelet checks before it runs a Deployment: the exact image, and the
 * in-cluster Service address an arg names (Service, namespace, port, cluster domain, selector).
 */
import type { KubeObject } from "../../e2e/harness/kube";
import {
  containerPort,
  expandArg,
  fluxImages,
  imageProblem,
  listenPort,
  parseServiceAddress,
  previousFluxImages,
  serviceAddressProblem,
  toolFor,
} from "../../e2e/harness/podSpec";

const controller = (name: string, labels: Record<string, string>, image = `ghcr.io/fluxcd/${name}:v1.9.4`) =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "flux-system" },
    spec: {
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "manager",
              image,
              env: [
                { name: "RUNTIME_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ],
              ports: [
                { name: "http", containerPort: 9090 },
                { name: "healthz", containerPort: 9440 },
              ],
            },
          ],
        },
      },
    },
  }) as KubeObject;

const service = (spec: object, name = "notification-controller"): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "flux-system" },
  spec,
});
const good = {
  selector: { app: "notification-controller" },
  ports: [{ name: "http", port: 80, targetPort: "http" }],
};
const nc = controller("notification-controller", { app: "notification-controller" });
const sc = controller("source-controller", { app: "source-controller" });
const ADDR = "http://notification-controller.flux-system.svc.cluster.local./";

const check = (svc: KubeObject | undefined, addr = ADDR, clusterDomain = "cluster.local") =>
  serviceAddressProblem({
    from: "Deployment flux-system/source-controller",
    flag: "--events-addr",
    addr,
    clusterDomain,
    service: svc,
    deployments: [
      { binary: "notification-controller", d: nc },
      { binary: "source-controller", d: sc },
    ],
    want: { binary: "notification-controller", port: 9090 },
  });

describe("serviceAddressProblem", () => {
  const where = `Deployment flux-system/source-controller's --events-addr=${ADDR}`;
  it("accepts Flux's own Service", () => expect(check(service(good))).toBeUndefined());
  it.each([
    ["no Service", undefined, ADDR, `${where}: no Service flux-system/notification-controller is installed`],
    [
      "another port",
      service({ ...good, ports: [{ port: 8080, targetPort: "http" }] }),
      ADDR,
      `${where}: Service flux-system/notification-controller has no port 80 (ports [{"port":8080,"targetPort":"http"}])`,
    ],
    [
      "a targetPort the controller does not listen on",
      service({ ...good, ports: [{ port: 80, targetPort: "healthz" }] }),
      ADDR,
      `${where}: Service flux-system/notification-controller port 80 targets "healthz" (container port 9440), notification-controller listens on 9090`,
    ],
    [
      "a selector of another controller's pods",
      service({ ...good, selector: { app: "source-controller" } }),
      ADDR,
      `${where}: Service flux-system/notification-controller's selector {"app":"source-controller"} selects source-controller, want notification-controller's pods alone`,
    ],
    [
      "an empty selector",
      service({ ...good, selector: {} }),
      ADDR,
      `${where}: Service flux-system/notification-controller's selector {} selects no controller Deployment, want notification-controller's pods alone`,
    ],
  ])("refuses %s", (_what, svc, addr, want) => expect(check(svc, addr)).toBe(want));
  it("refuses another cluster domain", () =>
    expect(check(service(good), ADDR, "example.internal")).toBe(
      `${where}: cluster domain "cluster.local", the cluster's is "example.internal"`,
    ));
});

describe("parseServiceAddress", () => {
  it.each([
    [
      ADDR,
      { service: "notification-controller", namespace: "flux-system", domain: "cluster.local", port: 80 },
    ],
    [
      "source-controller.flux-system.svc.cluster.local.",
      { service: "source-controller", namespace: "flux-system", domain: "cluster.local", port: 80 },
    ],
    [
      "http://a.b.svc.corp.example:8080/x",
      { service: "a", namespace: "b", domain: "corp.example", port: 8080 },
    ],
    [
      "http://127.0.0.1:9090/",
      '"http://127.0.0.1:9090/" is not an in-cluster Service address (<name>.<namespace>.svc.<domain>)',
    ],
  ])("%s", (addr, want) => expect(parseServiceAddress(addr)).toEqual(want));
});

describe("the rest of a Deployment as the kubelet reads it", () => {
  const c = (nc.spec as { template: { spec: { containers: object[] } } }).template.spec.containers[0];
  it("expands $(RUNTIME_NAMESPACE) from the downward API", () =>
    expect(
      expandArg(
        "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.",
        c,
        "flux-system",
      ),
    ).toBe("--storage-adv-addr=source-controller.flux-system.svc.cluster.local."));
  it("maps a port name or number to the container port", () => {
    expect(containerPort(c, "http")).toBe(9090);
    expect(containerPort(c, 9440)).toBe(9440);
    expect(containerPort(c, "metrics")).toBeUndefined();
  });
  it("reads a listen flag's port, else the default", () => {
    expect(listenPort(["--health-addr=:9441"], "--health-addr", 9440)).toBe(9441);
    expect(listenPort([], "--health-addr", 9440)).toBe(9440);
  });
  it("accepts only the pinned image from the configured registry", () => {
    const images = fluxImages("registry.test/mirror/");
    expect(images["source-controller"]).toBe("registry.test/mirror/source-controller:v1.9.4");
    expect(
      imageProblem(
        controller("source-controller", {}, images["source-controller"]),
        "source-controller",
        images,
      ),
    ).toBeUndefined();
    expect(imageProblem(sc, "source-controller", images)).toBe(
      'Deployment flux-system/source-controller: image "ghcr.io/fluxcd/source-controller:v1.9.4" is not the configured "registry.test/mirror/source-controller:v1.9.4": not run',
    );
  });
  it("accepts either of two images while a Flux upgrade rolls (and nothing else)", () => {
    const images = {
      "source-controller": [
        "ghcr.io/fluxcd/source-controller:v1.8.2",
        "ghcr.io/fluxcd/source-controller:v1.9.4",
      ],
    };
    expect(imageProblem(sc, "source-controller", images)).toBeUndefined();
    expect(
      imageProblem(
        controller("source-controller", {}, "ghcr.io/fluxcd/source-controller:v1.8.2"),
        "source-controller",
        images,
      ),
    ).toBeUndefined();
    expect(
      imageProblem(
        controller("source-controller", {}, "ghcr.io/fluxcd/source-controller:v1.7.0"),
        "source-controller",
        images,
      ),
    ).toBe(
      'Deployment flux-system/source-controller: image "ghcr.io/fluxcd/source-controller:v1.7.0" is not the configured "ghcr.io/fluxcd/source-controller:v1.8.2" or "ghcr.io/fluxcd/source-controller:v1.9.4": not run',
    );
  });
  it("also accepts the previous release's exact image, run by that release's own binary", () => {
    const images = fluxImages();
    const previous = previousFluxImages();
    expect(previous["source-controller"]).toBe("ghcr.io/fluxcd/source-controller:v1.9.3");
    expect(previous["helm-controller"]).toBe("ghcr.io/fluxcd/helm-controller:v1.6.2");
    const old = controller("source-controller", {}, previous["source-controller"]);
    expect(imageProblem(old, "source-controller", images, previous)).toBeUndefined();
    expect(imageProblem(old, "source-controller", images)).toBe(
      'Deployment flux-system/source-controller: image "ghcr.io/fluxcd/source-controller:v1.9.3" is not the configured "ghcr.io/fluxcd/source-controller:v1.9.4": not run',
    );
    // A tag of neither release is still refused.
    const other = controller("source-controller", {}, "ghcr.io/fluxcd/source-controller:v1.9.2");
    expect(imageProblem(other, "source-controller", images, previous)).toBe(
      'Deployment flux-system/source-controller: image "ghcr.io/fluxcd/source-controller:v1.9.2" is neither the configured "ghcr.io/fluxcd/source-controller:v1.9.4" nor the previous release\'s "ghcr.io/fluxcd/source-controller:v1.9.3": not run',
    );
    expect(toolFor("source-controller", previous["source-controller"], previous)).toBe(
      "source-controller@v1.9.3",
    );
    expect(toolFor("source-controller", images["source-controller"], previous)).toBe("source-controller");
    expect(toolFor("source-controller", previous["source-controller"])).toBe("source-controller");
  });
});
