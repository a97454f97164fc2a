/**
 * A Git repository URL as the web sees it: `ssh://git@github.com/org/repo.git`,
 * `git@github.com:org/repo.git` and `https://github.com/org/repo` are the same repository,
 * `https://github.com/org/repo`. Used by gitops:lint (a commit-status Provider must post to the
 * repository the platform pulls from) and by the fleet table (the link to an applied commit).
 */

/** A repository on a forge: host (lower case, no port), path (no `.git`, no slashes around). */
export interface RepoLocation {
  host: string;
  path: string;
  /** `https://<host>/<path>` */
  web: string;
}

/** The repository of a Git URL (https, http, ssh or scp-like); undefined for anything else (oci://, a local path). */
export function repoLocation(url: string): RepoLocation | undefined {
  const trimmed = url.trim();
  let host: string;
  let rest: string;
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (/^(https?|ssh|git):\/\//.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    host = parsed.hostname;
    rest = decodeURIComponent(parsed.pathname);
  } else if (scp && !trimmed.includes("://")) {
    host = scp[1];
    rest = scp[2];
  } else return undefined;
  const path = rest
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "")
    .replace(/\/+$/, "");
  if (!host || path.split("/").filter(Boolean).length < 2) return undefined;
  const h = host.toLowerCase();
  return { host: h, path, web: `https://${h}/${path}` };
}

/** Whether two Git URLs name the same repository (host and path, case-insensitive). */
export function sameRepository(a: string, b: string): boolean {
  const x = repoLocation(a);
  const y = repoLocation(b);
  return !!x && !!y && x.host === y.host && x.path.toLowerCase() === y.path.toLowerCase();
}

/** The forge whose web layout a host has: GitHub (github.com, GitHub Enterprise hosts named github…) or GitLab. */
export function forgeOf(host: string): "github" | "gitlab" | undefined {
  const first = host.split(".")[0];
  if (host === "github.com" || first === "github") return "github";
  if (host === "gitlab.com" || first === "gitlab") return "gitlab";
  return undefined;
}

/**
 * The web page of a commit of the repository at `url`, where the forge shows its commit statuses:
 * GitHub `…/commit/<sha>`, GitLab `…/-/commit/<sha>`; undefined for other hosts and non-Git URLs.
 */
export function commitWebUrl(url: string, sha: string): string | undefined {
  const repo = repoLocation(url);
  if (!repo || !/^[0-9a-f]{7,64}$/.test(sha)) return undefined;
  switch (forgeOf(repo.host)) {
    case "github":
      return `${repo.web}/commit/${sha}`;
    case "gitlab":
      return `${repo.web}/-/commit/${sha}`;
    default:
      return undefined;
  }
}
