// The Flux Operator as the e2e provides it, the way an air-gapped site does: the operator's chart
// pushed to the site's own OCI registry (here the harness registry, TLS with the harness CA) and
// named by `flux.install.operator.chart`, and the Flux manifests the operator installs from its own
// embedded data (the image's /data: config/data of the operator module, one folder per Flux version
// with the image digests it pins), so no distribution.artifact is needed. build-tools.sh builds the
// binary and puts data/ and the chart beside it (build_flux_operator).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { parse } from "yaml";
import type { Registry } from "./registry";
import { REPO_ROOT, type Tools } from "./tools";

export const FLUX_OPERATOR = "flux-operator";

interface OperatorPin {
  chart: string;
  chartVersion: string;
}

/** versions.json's operator pin: the chart version is the operator's version (without the `v`). */
export function operatorPin(): OperatorPin {
  const v = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "components/flux/versions.json"), "utf8")) as {
    operator: OperatorPin;
  };
  return v.operator;
}

/** The image the operator's Deployment must have: the pinned release, from its own registry. */
export function operatorImage(pin: OperatorPin = operatorPin()): string {
  return `ghcr.io/controlplaneio-fluxcd/flux-operator:v${pin.chartVersion}`;
}

export interface OperatorFiles {
  /** The operator's embedded data (its `--storage-path`): flux/<version>/, flux-images/<version>/. */
  data: string;
  /** The chart build-tools.sh packaged, `flux-operator-<version>.tgz`. */
  chart: string;
}

export function operatorFiles(tools: Tools, pin: OperatorPin = operatorPin()): OperatorFiles {
  const dir = path.join(tools.dir, FLUX_OPERATOR);
  const files = {
    data: path.join(dir, "data"),
    chart: path.join(dir, `flux-operator-${pin.chartVersion}.tgz`),
  };
  for (const f of Object.values(files))
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/e2e/build-tools.sh flux-operator`);
  return files;
}

/**
 * The controller images the operator's FluxInstance asks for at Flux `version` from `registry`: what
 * its embedded `flux-images/v<version>/upstream-alpine.yaml` pins, `<registry>/<name>:<tag>@<digest>`
 * (the operator pins digests for the upstream registry). By controller name.
 */
export function operatorFluxImages(
  dataDir: string,
  version: string,
  registry = "ghcr.io/fluxcd",
): Record<string, string> {
  const file = path.join(dataDir, "flux-images", `v${version.replace(/^v/, "")}`, "upstream-alpine.yaml");
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: this operator does not embed Flux ${version}`);
  const { images } = parse(fs.readFileSync(file, "utf8")) as {
    images: { name: string; newTag: string; digest?: string }[];
  };
  return Object.fromEntries(
    images.map((i) => {
      const name = i.name.split("/").pop() as string;
      return [name, `${registry.replace(/\/$/, "")}/${name}:${i.newTag}${i.digest ? `@${i.digest}` : ""}`];
    }),
  );
}

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

/**
 * Pushes a packaged Helm chart to `registry` as Helm does (`helm push`): an OCI manifest whose
 * config is the chart's metadata (`application/vnd.cncf.helm.config.v1+json`) and whose one layer is
 * the .tgz (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), tagged with the chart version,
 * at `<repo>/<chart name>`. Returns the `oci://` URL to give as the chart.
 */
export async function pushHelmChart(
  registry: Registry,
  repo: string,
  chartTgz: string,
  meta: { name: string; version: string; appVersion: string },
): Promise<string> {
  const ca = fs.readFileSync(String(registry.trustEnv.SSL_CERT_FILE));
  const request = (method: string, url: string, body?: Buffer, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
      (resolve, reject) => {
        const u = new URL(url, `https://${registry.host}`);
        const req = https.request(
          u,
          { method, ca, headers: { ...headers, "content-length": String(body?.length ?? 0) } },
          (res) => {
            let text = "";
            res.on("data", (d: Buffer) => (text += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      },
    );
  const name = `${repo.replace(/\/$/, "")}/${meta.name}`;
  const blob = async (data: Buffer) => {
    const digest = sha256(data);
    const start = await request("POST", `/v2/${name}/blobs/uploads/`);
    const location = start.headers.location;
    if (start.status !== 202 || typeof location !== "string")
      throw new Error(
        `registry ${registry.host}: starting an upload to ${name}: ${start.status} ${start.text}`,
      );
    const put = await request(
      "PUT",
      `${location}${location.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`,
      data,
      { "content-type": "application/octet-stream" },
    );
    if (put.status !== 201)
      throw new Error(`registry ${registry.host}: blob ${digest} to ${name}: ${put.status} ${put.text}`);
    return { digest, size: data.length };
  };
  const config = Buffer.from(JSON.stringify({ apiVersion: "v2", type: "application", ...meta }));
  const chart = fs.readFileSync(chartTgz);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.cncf.helm.config.v1+json", ...(await blob(config)) },
      layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", ...(await blob(chart)) }],
    }),
  );
  const res = await request("PUT", `/v2/${name}/manifests/${meta.version}`, manifest, {
    "content-type": "application/vnd.oci.image.manifest.v1+json",
  });
  if (res.status !== 201)
    throw new Error(`registry ${registry.host}: manifest ${name}:${meta.version}: ${res.status} ${res.text}`);
  return `oci://${registry.host}/${repo.replace(/\/$/, "")}/${meta.name}`;
}
