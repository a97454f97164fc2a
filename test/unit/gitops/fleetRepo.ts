/**
 * A small fleet repository in a temporary Git repository, built by the diff tests: three platforms
 * (dev follows main, lab a semver range, prod the tag v1.0.0) over three commits and two tags.
 * Commits have fixed authors and dates, so their ids, and the reports naming them, are stable.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PlatformContract } from "../../../automation/gitops";

const ks = (name: string, p: string, vars: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${p}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: ${vars}
`;

const slice = (platform: string, id: string, sst: string) => ({
  [`clusters/${platform}/slices/${id}/slice.yaml`]: ks(
    `slice-${id}`,
    "./catalog",
    `slice-vars-${id}`,
  ).replace("  prune: true\n", "  prune: true\n  targetNamespace: slices\n"),
  [`clusters/${platform}/slices/${id}/slice-vars.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: slice-vars-${id}
  namespace: flux-system
data:
  SST: "${sst}"
`,
});

const token = (ciphertext: string) => `apiVersion: v1
kind: Secret
metadata:
  name: vendor-token
  namespace: flux-system
data:
  token: ENC[AES256_GCM,data:${ciphertext},iv:aXY=,tag:dGFn,type:str]
sops:
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.10.2
`;

const configMap = (name: string, data: string, namespace = "flux-system") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}data:\n${data}`;

function platform(p: string): Record<string, string> {
  return {
    [`clusters/${p}/kustomization.yaml`]: "resources:\n  - apps.yaml\n  - slices.yaml\n",
    [`clusters/${p}/apps.yaml`]: ks("apps", "./apps", "cluster-vars"),
    [`clusters/${p}/slices.yaml`]: ks("slices", `./clusters/${p}/slices`, "cluster-vars"),
    ...slice(p, "a", "1"),
  };
}

/** v1.0.0: the three platforms; dev has a second slice, b. */
const V1: Record<string, string> = {
  "catalog/kustomization.yaml": "resources:\n  - slice.yaml\n",
  "catalog/slice.yaml": configMap("slice-${SST}", '  sst: "x-${SST}"\n  priority: "p${PRIORITY:=5}"\n', ""),
  "apps/kustomization.yaml": "resources:\n  - info.yaml\n  - tier.yaml\n  - token.yaml\n",
  "apps/info.yaml": configMap("platform-info", "  name: ${PLATFORM_NAME}\n"),
  "apps/tier.yaml": configMap("platform-tier", "  tier: ${TIER:=standard}\n"),
  "apps/token.yaml": token("b2xk"),
  ...platform("dev"),
  ...platform("lab"),
  ...platform("prod"),
  ...slice("dev", "b", "2"),
};

/**
 * v1.1.0 (main): platform-info renamed platform-identity, dev's slice b removed, the tier default
 * changed (lab sets TIER, so only dev sees it), the token re-encrypted, and prod's apps interval
 * changed (prod follows v1.0.0: shielded).
 */
function v11(): Record<string, string> {
  const files = { ...V1 };
  delete files["clusters/dev/slices/b/slice.yaml"];
  delete files["clusters/dev/slices/b/slice-vars.yaml"];
  files["apps/info.yaml"] = configMap("platform-identity", "  name: ${PLATFORM_NAME}\n");
  files["apps/tier.yaml"] = configMap("platform-tier", "  tier: ${TIER:=premium}\n");
  files["apps/token.yaml"] = token("bmV3");
  files["clusters/prod/apps.yaml"] = V1["clusters/prod/apps.yaml"].replace("interval: 10m", "interval: 5m");
  return files;
}

/** main after v1.1.0 (untagged): dev gets slice c. */
function head(): Record<string, string> {
  return { ...v11(), ...slice("dev", "c", "3") };
}

function contract(
  platform: string,
  clusterVars: Record<string, string>,
  ref: { kind: string; value: string },
): [string, PlatformContract] {
  return [
    platform,
    {
      platform,
      clusterVars,
      rootPath: `./clusters/${platform}`,
      prod: platform === "prod",
      origin: "test",
      rootRef: { ...ref, file: `Pulumi.${platform}.yaml`, line: 1 },
    },
  ];
}

/** dev follows main; lab the newest tag >=1.0.0 and sets TIER; prod is pinned to v1.0.0. */
export const FLEET_CONTRACTS = (): Map<string, PlatformContract> =>
  new Map([
    contract("dev", { PLATFORM_NAME: "dev" }, { kind: "branch", value: "main" }),
    contract("lab", { PLATFORM_NAME: "lab", TIER: "gold" }, { kind: "semver", value: ">=1.0.0" }),
    contract("prod", { PLATFORM_NAME: "prod" }, { kind: "tag", value: "v1.0.0" }),
  ]);

/** Create the repository; returns its directory (remove it when done). */
export function createFleetRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-repo-"));
  let n = 0;
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "Fleet",
    GIT_AUTHOR_EMAIL: "fleet@example.com",
    GIT_COMMITTER_NAME: "Fleet",
    GIT_COMMITTER_EMAIL: "fleet@example.com",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env, stdio: "pipe" });
  const commit = (files: Record<string, string>, message: string) => {
    for (const e of fs.readdirSync(dir)) if (e !== ".git") fs.rmSync(path.join(dir, e), { recursive: true });
    for (const [f, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), content);
    }
    git("add", "-A");
    const date = `2026-01-0${++n}T12:00:00Z`;
    execFileSync("git", ["commit", "-q", "-m", message], {
      cwd: dir,
      env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
  };
  git("init", "-q", "-b", "main");
  commit(V1, "fleet v1.0.0");
  git("tag", "v1.0.0");
  commit(v11(), "fleet v1.1.0");
  git("tag", "v1.1.0");
  commit(head(), "dev: slice c");
  return dir;
}
