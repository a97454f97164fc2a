// A Git host's push webhook, as GitHub sends it to a Flux Receiver: a JSON push event, signed with
// the Receiver's token (HMAC-SHA256 of the body, header X-Hub-Signature-256), to
// notification-controller's receiver address plus the Receiver's status.webhookPath.
import { createHmac } from "node:crypto";
import * as http from "node:http";
import { conditions, type Kube, type KubeObject } from "./kube";

const NOTIFICATION = "notification.toolkit.fluxcd.io/v1";

/** The Receiver `namespace/name` Ready, and its status.webhookPath (`/hook/<sha256>`). */
export async function receiverPath(
  kube: Kube,
  name: string,
  namespace: string,
  opts: { timeoutMs: number; check?: () => void },
): Promise<string> {
  const r: KubeObject = await kube.waitCondition(NOTIFICATION, "Receiver", name, namespace, {
    ...opts,
    accept: (o) => Boolean((o.status as { webhookPath?: string } | undefined)?.webhookPath),
  });
  const path = String((r.status as { webhookPath: string }).webhookPath);
  if (!/^\/hook\/[0-9a-f]{64}$/.test(path))
    throw new Error(
      `Receiver ${namespace}/${name} webhookPath is ${path}, want /hook/<sha256> (${JSON.stringify(conditions(r))})`,
    );
  return path;
}

/** The body GitHub posts for a push of `ref` (a tag: refs/tags/<tag>) to `repository`. */
export function githubPushEvent(ref: string, after: string, repository: string): string {
  return JSON.stringify({
    ref,
    before: "0".repeat(40),
    after,
    created: true,
    deleted: false,
    forced: false,
    repository: { full_name: repository, html_url: `https://github.com/${repository}` },
    pusher: { name: "e2e" },
  });
}

/**
 * POSTs a GitHub push event to `url` (receiver address + webhook path) signed with `token`, as
 * GitHub does; resolves with the HTTP status and body.
 */
export function postGithubPush(
  url: string,
  body: string,
  token: string,
  event = "push",
): Promise<{ status: number; body: string }> {
  const signature = `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "GitHub-Hookshot/e2e",
          "x-github-event": event,
          "x-github-delivery": `e2e-${Date.now()}`,
          "x-hub-signature-256": signature,
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} in 30 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
