/**
 * The commands docs/gitops.md shows are the ones test/integration/gitops/docs.test.ts runs as
 * written (each one an npm process: `npm run test:integration`), and gitops/README.md shows only
 * commands of that page. What each command does is tested in this process beside it: lint.test.ts
 * (the template lints clean), diffTemplate.test.ts (the template's diff), newSlice.test.ts,
 * publishPush.test.ts (dry-run), changedSince.test.ts (--changed-since).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { documented } from "../../helpers/gitopsDocs";
import { SHIPPED } from "./helpers";

describe("docs/gitops.md", () => {
  const { sh } = documented();

  it("shows the commands the integration test runs", () => {
    expect(sh).toEqual([
      "bash scripts/tools/kustomize.sh",
      "npm run gitops:lint -- gitops",
      "npm run gitops:diff -- v1.0.0 main",
      "npm run gitops:diff -- v1.0.0 main --tag v1.1.0",
      "npm run gitops:new-slice -- --cluster de-dev --model urllc --sst 2 --sd ab0002 --nsiid 3 --dnn factory --mcc 262 --mnc 01 --latency-ms 10",
      "npm run gitops:publish -- oci://registry.example.com/acme/fleet --tag v1.2.0 --charts-to oci://registry.example.com/acme/charts --source https://github.com/acme-telco/platform-fleet --dry-run",
    ]);
  });

  it("gitops/README.md shows only commands of this page (run there), besides git and sops", () => {
    const readme = fs.readFileSync(path.join(SHIPPED, "README.md"), "utf8");
    const npm = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((b) => b[1].split("\n"))
      .filter((l) => l.startsWith("npm run"));
    expect(npm).toEqual([sh[1], sh[2], sh[4], sh[1]]);
  });
});
