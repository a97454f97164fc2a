/**
 * What the hostile-input tests of the Git-side tools share (./hostile.test.ts, ./sandbox.test.ts,
 * ../cli/badInputRows.gitside.ts): a one-platform fleet's files, a private key that lies outside the
 * repository, and YAML whose aliases expand a billion times.
 */
import { execFileSync } from "node:child_process";

export const KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

/** clusters/dev/apps.yaml: the Flux Kustomization apps, building ./apps from the platform's root. */
export const FLUX_APPS = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

/** A line of the private key that must never be printed, and the key. */
export const SECRET_LINE = "hunter2-never-in-a-comment";
export const SECRET = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE ${SECRET_LINE}\n-----END OPENSSH PRIVATE KEY-----\n`;
/** What of SECRET a tool's output must not hold. */
export const NEVER = [SECRET_LINE, "BEGIN OPENSSH", "b3BlbnNzaC1rZXktdjE"];

/** Six levels of nine aliases each ("billion laughs"). */
export const LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
].join("\n");

/** Make `dir` a Git repository on branch main with everything in it committed. */
export function commitAll(dir: string): void {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: dir,
      stdio: "ignore",
      env: {
        ...process.env,
        GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
        GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
      },
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "hostile");
}
