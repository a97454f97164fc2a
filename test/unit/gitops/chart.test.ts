/**
 * The fleet template's workloads meet what a Kubernetes security scanner checks: the network-function
 * chart rendered (defaults, and a platform's values) and the network-functions namespace's policies.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { helmTemplate, mergeValues, render } from "../../helpers/helmTemplate";

const gitops = path.join(__dirname, "..", "..", "..", "gitops");
const chartDir = path.join(gitops, "charts", "network-function");
type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const deploymentOf = (values?: Rec) =>
  helmTemplate(chartDir, { releaseName: "upf", namespace: "network-functions", values }).find(
    (o) => o.kind === "Deployment",
  ) as Rec;

describe("network-function chart", () => {
  it("renders a Deployment that runs as non-root, unprivileged, read-only, with no capabilities and no token", () => {
    const pod = deploymentOf().spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBe(false);
    expect(pod.dnsPolicy).toBeUndefined();
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      capabilities: { drop: ["ALL"], add: [] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(c.resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "2", memory: "1Gi" },
    });
    expect(c.ports).toEqual([{ name: "health", containerPort: 8080, protocol: "TCP" }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "health" });
  });

  it("gives a UPF NET_ADMIN and the host network only when its values ask, keeping drop ALL", () => {
    const pod = deploymentOf({
      hostNetwork: true,
      securityContext: { capabilities: { add: ["NET_ADMIN"] } },
    }).spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe("ClusterFirstWithHostNet");
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ["ALL"], add: ["NET_ADMIN"] });
    expect(pod.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
  });

  it("renders every platform's values with the same hardening", () => {
    for (const platform of ["de-dev", "de-prod", "local"]) {
      const file = path.join(gitops, "clusters", platform, "network-functions", "upf-values.yaml");
      const values = parse(readFileSync(file, "utf8")) as Rec;
      const c = deploymentOf(values).spec.template.spec.containers[0];
      expect([platform, c.securityContext.runAsNonRoot, c.resources.limits.memory]).toEqual([
        platform,
        true,
        "1Gi",
      ]);
    }
  });

  it("pins its version where the OCI platforms pull it", () => {
    const chart = parse(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as Rec;
    const source = parse(
      readFileSync(path.join(gitops, "apps", "network-functions", "oci", "charts.yaml"), "utf8"),
    ) as Rec;
    expect([chart.version, source.spec.ref.tag]).toEqual(["0.2.0", "0.2.0"]);
  });
});

describe("network-functions namespace", () => {
  it("denies all ingress and egress by default and allows DNS to the cluster resolver", () => {
    const docs = parseAllDocuments(
      readFileSync(path.join(gitops, "apps", "network-functions", "network-policy.yaml"), "utf8"),
    ).map((d) => d.toJSON() as Rec);
    expect(
      docs.map((d) => [d.metadata.namespace, d.metadata.name, d.spec.podSelector, d.spec.policyTypes]),
    ).toEqual([
      ["network-functions", "default-deny", {}, ["Ingress", "Egress"]],
      ["network-functions", "allow-dns", {}, ["Egress"]],
    ]);
    expect(docs[0].spec.ingress).toBeUndefined();
    expect(docs[0].spec.egress).toBeUndefined();
    expect(docs[1].spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    const kustomization = parse(
      readFileSync(path.join(gitops, "apps", "network-functions", "kustomization.yaml"), "utf8"),
    ) as Rec;
    expect(kustomization.resources).toContain("network-policy.yaml");
  });
});

describe("helmTemplate (the test renderer)", () => {
  const scope = {
    Values: { a: { b: "x" }, on: true, off: false, list: ["y"] },
    Release: { Name: "r", Namespace: "n" },
    Chart: { Name: "c" },
    files: {},
  };
  it.each([
    ["{{ .Values.a.b }}-{{ .Release.Name }}-{{ .Chart.Name }}", "x-r-c"],
    ["{{ .Values.a.b | quote }}", '"x"'],
    ["a:\n  {{- toYaml .Values.list | nindent 2 }}", "a:\n  - y"],
    ["{{- if .Values.on }}yes{{- else }}no{{- end }}", "yes"],
    ["{{- if .Values.off }}yes{{- else }}no{{- end }}", "no"],
  ])("%s", (text, want) => expect(render(text, scope)).toBe(want));
  it("refuses what it does not know", () => {
    expect(() => render("{{ range .Values.list }}{{ end }}", scope)).toThrow(
      'helmTemplate: unsupported expression "range .Values.list"',
    );
    expect(() => render("{{ .Values.a.b | upper }}", scope)).toThrow(
      'helmTemplate: unsupported function "upper"',
    );
  });
  it("merges values as Helm does", () =>
    expect(mergeValues({ a: { b: 1, c: [1] } }, { a: { c: [2] } })).toEqual({ a: { b: 1, c: [2] } }));
});
