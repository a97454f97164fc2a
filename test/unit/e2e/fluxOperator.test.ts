/**
 * The Flux Operator as the e2e provides it: the controller images its embedded data pins for a Flux
 * version (what the kubelet then runs exactly), and its pinned release's image.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { operatorFluxImages, operatorImage, operatorPin } from "../../e2e/harness/fluxOperator";

describe("the Flux Operator's images", () => {
  let data: string;
  beforeAll(() => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), "operator-data-"));
    fs.mkdirSync(path.join(data, "flux-images", "v2.9.4"), { recursive: true });
    fs.writeFileSync(
      path.join(data, "flux-images", "v2.9.4", "upstream-alpine.yaml"),
      [
        "images:",
        "  - name: ghcr.io/fluxcd/source-controller",
        "    newTag: v1.9.4",
        "    digest: sha256:8a8e",
        "  - name: ghcr.io/fluxcd/helm-controller",
        "    newTag: v1.6.3",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

  it("pins each controller at its tag and digest, from the registry asked for", () => {
    expect(operatorFluxImages(data, "2.9.4")).toEqual({
      "source-controller": "ghcr.io/fluxcd/source-controller:v1.9.4@sha256:8a8e",
      "helm-controller": "ghcr.io/fluxcd/helm-controller:v1.6.3",
    });
    expect(operatorFluxImages(data, "v2.9.4", "registry.test/fluxcd/")).toEqual({
      "source-controller": "registry.test/fluxcd/source-controller:v1.9.4@sha256:8a8e",
      "helm-controller": "registry.test/fluxcd/helm-controller:v1.6.3",
    });
  });
  it("refuses a Flux version the operator does not embed, naming the file", () => {
    expect(() => operatorFluxImages(data, "2.1.0")).toThrow(
      `${path.join(data, "flux-images", "v2.1.0", "upstream-alpine.yaml")} is missing: this operator does not embed Flux 2.1.0`,
    );
  });
  it("runs the operator release versions.json pins (chart version = operator version)", () => {
    expect(operatorPin()).toEqual({
      chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
      chartVersion: "0.58.0",
    });
    expect(operatorImage()).toBe("ghcr.io/controlplaneio-fluxcd/flux-operator:v0.58.0");
  });
});
