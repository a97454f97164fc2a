import { createHmac } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { githubPushEvent, postGithubPush } from "../../e2e/harness/receiver";
import { gitopsChanges } from "../../e2e/scenario/fluxDiff";
import type { FleetDiff } from "../../../automation/gitops/diff/compare";

describe("the push hook the e2e sends as GitHub does", () => {
  it("posts the event JSON with X-GitHub-Event and the body's HMAC-SHA256 under X-Hub-Signature-256", async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const srv = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook/abc`;
    const body = githubPushEvent("refs/tags/v1.1.0", "a".repeat(40), "acme-telco/platform-fleet");
    try {
      expect(await postGithubPush(url, body, "s3cret")).toEqual({ status: 200, body: "ok" });
    } finally {
      srv.close();
    }
    expect(got).toHaveLength(1);
    expect(got[0].body).toBe(body);
    expect(JSON.parse(got[0].body)).toMatchObject({ ref: "refs/tags/v1.1.0", after: "a".repeat(40) });
    expect({
      event: got[0].headers["x-github-event"],
      type: got[0].headers["content-type"],
      signature: got[0].headers["x-hub-signature-256"],
    }).toEqual({
      event: "push",
      type: "application/json",
      signature: `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`,
    });
  });
});

describe("gitops:diff's changes as flux diff names them", () => {
  const o = (kind: string, namespace: string, name: string, appliedBy: string) => ({
    apiVersion: "v1",
    kind,
    namespace,
    name,
    appliedBy,
    file: "",
  });
  const diff = {
    platforms: [
      {
        platform: "e2e",
        problems: [],
        added: [
          { ...o("Kustomization", "flux-system", "slice-2-ab0001", "flux-system/slices"), object: {} },
          { ...o("Slice", "slices", "slice-2-ab0001", "flux-system/slice-2-ab0001"), object: {} },
        ],
        changed: [
          { ...o("ConfigMap", "flux-system", "upf-values", "flux-system/network-functions"), fields: [] },
        ],
        removed: [{ ...o("ClusterRole", "", "old-reader", "flux-system/flux-system"), object: {} }],
        renamed: [
          {
            from: o("ConfigMap", "flux-system", "a", "flux-system/apps"),
            to: o("ConfigMap", "flux-system", "b", "flux-system/apps"),
            fields: [],
          },
        ],
      },
    ],
    problems: [],
  } as unknown as FleetDiff;

  it("maps added, changed, removed and renamed to created, drifted and deleted, for live Kustomizations only", () => {
    const live = new Set([
      "flux-system/flux-system",
      "flux-system/slices",
      "flux-system/network-functions",
      "flux-system/apps",
    ]);
    expect(gitopsChanges(diff, "e2e", live)).toEqual([
      { object: "Kustomization/flux-system/slice-2-ab0001", change: "created" },
      { object: "ConfigMap/flux-system/upf-values", change: "drifted" },
      { object: "ClusterRole/old-reader", change: "deleted" },
      { object: "ConfigMap/flux-system/a", change: "deleted" },
      { object: "ConfigMap/flux-system/b", change: "created" },
    ]);
  });

  it("refuses a platform it does not report", () => {
    expect(() => gitopsChanges(diff, "de-dev", new Set())).toThrow(
      "gitops:diff reports no platform de-dev: e2e",
    );
  });
});
