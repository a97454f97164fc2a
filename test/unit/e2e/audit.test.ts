/** Identities from the audit log: each controller's requests (by user agent) as its own ServiceAccount, no 403. */
import { checkIdentities, isForbidden, type AuditEvent } from "../../e2e/harness/audit";

const ev = (agent: string, user: string, code = 200, uri = "/apis/x"): AuditEvent => ({
  verb: "list",
  requestURI: uri,
  userAgent: `${agent}/v1.9.4 (linux/amd64) kubernetes/$Format`,
  user: { username: user },
  responseStatus: { code },
});
const SA = (n: string) => `system:serviceaccount:flux-system:${n}`;

describe("checkIdentities", () => {
  it("passes when every controller request is its own ServiceAccount's", () => {
    const r = checkIdentities(
      [
        ev("source-controller", SA("source-controller")),
        ev("kustomize-controller", SA("kustomize-controller")),
        ev("kube-controller-manager", "system:kube-controller-manager"),
      ],
      ["source-controller", "kustomize-controller"],
    );
    expect(r.problems).toEqual([]);
    expect(r.summary).toEqual([
      "source-controller: 1 requests, 1 as system:serviceaccount:flux-system:source-controller",
      "kustomize-controller: 1 requests, 1 as system:serviceaccount:flux-system:kustomize-controller",
      "403 Forbidden responses: 0 (of 3 requests)",
    ]);
  });
  it("names a request under another identity, a 403 and a silent controller", () => {
    const r = checkIdentities(
      [
        ev("source-controller", "admin"),
        ev(
          "source-controller",
          SA("source-controller"),
          403,
          "/apis/source.toolkit.fluxcd.io/v1/gitrepositories",
        ),
      ],
      ["source-controller", "helm-controller"],
    );
    expect(r.problems).toEqual([
      "source-controller: 1 requests not as system:serviceaccount:flux-system:source-controller, e.g. list /apis/x by admin (source-controller/v1.9.4 (linux/amd64) kubernetes/$Format)",
      "helm-controller: no request in the audit log (user agent helm-controller/…)",
      "403 Forbidden: list /apis/source.toolkit.fluxcd.io/v1/gitrepositories by system:serviceaccount:flux-system:source-controller (source-controller/v1.9.4 (linux/amd64) kubernetes/$Format)",
    ]);
  });
});

describe("isForbidden", () => {
  const terminating = (decision: string, reason = "NamespaceTerminating"): AuditEvent => ({
    verb: "create",
    requestURI: "/api/v1/namespaces/e2e-gc/serviceaccounts",
    userAgent: "kube-controller-manager/v1.36.4 (linux/amd64) kubernetes/$Format/service-account-controller",
    user: { username: "platform-e2e-admin" },
    annotations: { "authorization.k8s.io/decision": decision },
    responseStatus: { code: 403, details: { causes: [{ reason }] } },
  });
  it("is every 403 an authorizer refused", () => {
    expect(isForbidden(terminating("forbid"))).toBe(true);
    expect(isForbidden(ev("source-controller", SA("source-controller"), 403))).toBe(true);
  });
  it("is not the refusal to create in a namespace being deleted, which authorization allowed", () =>
    expect(isForbidden(terminating("allow"))).toBe(false));
  it("is any other admission refusal", () => expect(isForbidden(terminating("allow", "Other"))).toBe(true));
  it("is not a success", () =>
    expect(isForbidden(ev("source-controller", SA("source-controller")))).toBe(false));
});
