/**
 * gitops:lint time against the size of the tree (issue 24): prints one line per size, no assertion.
 *
 *   npx tsx scripts/bench/gitopsLintSize.ts [MB ...]   (default 5 10 20 50)
 *
 * For each size N: (a) N MB of ConfigMaps in files of 1 MB each (every file parsed and checked), and
 * (b) one file of N MB (refused by its size above 5 MiB, before it is read). Each figure starts when
 * lintFleet is called and ends when it returns, on a one-platform fleet in a temporary folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lintFleet } from "../../automation/gitops";

const MB = 1000 * 1000;
const KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

function configMaps(bytes: number, prefix: string): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const keys = Array.from({ length: 200 }, (_, k) => `  key${k}: "${"v".repeat(40)}"\n`).join("");
    const doc = `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${prefix}-${i}\n  namespace: default\ndata:\n${keys}`;
    parts.push(doc);
    size += doc.length;
  }
  return parts.join("");
}

function fleet(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-size-"));
  const all: Record<string, string> = {
    "clusters/dev/kustomization.yaml": `${KUSTOMIZATION}resources: []\n`,
    ...files,
  };
  for (const [f, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

async function time(dir: string): Promise<{ ms: number; findings: number }> {
  const started = process.hrtime.bigint();
  const r = await lintFleet(dir);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, findings: r.findings.length };
}

async function main(sizes: number[]) {
  await time(fleet({ "data/warm.yaml": configMaps(MB, "warm") })); // load schemas and modules once
  console.log("size  | spread over 1 MB files        | one file");
  for (const n of sizes) {
    const spread = await time(
      fleet(
        Object.fromEntries(
          Array.from({ length: n }, (_, i) => [`data/cm-${i}.yaml`, configMaps(MB, `f${i}`)]),
        ),
      ),
    );
    const one = await time(fleet({ "data/one.yaml": configMaps(n * MB, "one") }));
    console.log(
      `${String(n).padStart(3)} MB | ${spread.ms.toFixed(0).padStart(6)} ms (${(spread.ms / n).toFixed(0)} ms/MB, ${spread.findings} findings) | ${one.ms.toFixed(0).padStart(6)} ms (${one.findings} finding${one.findings === 1 ? "" : "s"})`,
    );
  }
}

void main(process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [5, 10, 20, 50]);
