/** `source.charts`: where an OCI root's Helm charts are published. */
import type { Problem } from "../../problems";
import { awsSourceRepository } from "./awsSource";
import type { Check } from "./check";
import { redactUrl } from "../../url";

/** Helm chart names (Chart.yaml `name`, as Helm's OCI references use them). */
const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `source.charts`: OCI roots only, an oci:// URL (ECR with provider aws), distinct chart names. */
export const checkCharts: Check = (flux) => {
  const { source } = flux;
  const charts = source.charts;
  if (!charts) return [];
  const out: Problem[] = [];
  if (source.kind !== "oci")
    out.push({
      path: "source.charts",
      message:
        "is for an OCI root (kind oci): a Git root's HelmReleases take their charts from the repository itself; remove charts, or set source.kind oci",
    });
  const url = charts.url.replace(/\/+$/, "");
  if (!/^oci:\/\/[^/\s]+(\/[^\s:@]+)?$/.test(url))
    out.push({
      path: "source.charts.url",
      message: `"${redactUrl(charts.url)}" is not an OCI location: write oci://<registry>/<path>, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts (no tag)`,
    });
  if (charts.names.length === 0)
    out.push({ path: "source.charts.names", message: "is empty: name the charts published there" });
  const seen = new Set<string>();
  charts.names.forEach((n, i) => {
    if (!CHART_NAME.test(n))
      out.push({
        path: `source.charts.names[${i}]`,
        message: `"${n}" is not a Helm chart name: lowercase letters, digits and dashes, e.g. network-function`,
      });
    else if (seen.has(n))
      out.push({
        path: `source.charts.names[${i}]`,
        message: `"${n}" is listed twice: list each chart once`,
      });
    seen.add(n);
  });
  if (source.provider === "aws" && source.kind === "oci") {
    // Chart names are checked above; the location is checked with a valid one.
    const chartRepo = awsSourceRepository("oci", `${url}/chart`);
    const root = awsSourceRepository("oci", source.url);
    if (!chartRepo)
      out.push({
        path: "source.charts.url",
        message: `with provider aws the charts are ECR repositories, but "${redactUrl(url)}" is not an ECR location: write oci://<account>.dkr.ecr.<region>.amazonaws.com/<path> (lowercase)`,
      });
    else if (
      root?.service === "ecr" &&
      chartRepo.service === "ecr" &&
      (root.accountId !== chartRepo.accountId || root.region !== chartRepo.region)
    )
      out.push({
        path: "source.charts.url",
        message: `is in account ${chartRepo.accountId}, region ${chartRepo.region}, but the root (source.url) is in ${root.accountId}, ${root.region}: source-controller's role is granted on the platform's registry; publish the charts there`,
      });
  }
  return out;
};
