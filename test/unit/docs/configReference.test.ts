import { readFileSync } from "node:fs";
import { z } from "zod";
import { EKS_DEFAULTS } from "../../../components/cluster/eks";
import { DEFAULTS as BARE_METAL_DEFAULTS } from "../../../components/cluster/baremetal/types";
import { FLUX_DEFAULTS } from "../../../components/flux";
import { secret } from "../../../stacks/schema/common";
import {
  fields,
  type JsonSchema,
  PAGE,
  platformJsonSchema,
  REGENERATE,
  renderMarkdown,
  renderPage,
  undescribed,
} from "../../../scripts/docs/configReference";

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
const page = renderMarkdown();
/** The page's bullet of one field (with `pick`: the one that holds this text, e.g. a variant). */
function line(path: string, pick?: string): string {
  const found = page
    .split("\n")
    .filter((l) => l.startsWith(`- **\`${path}\`** (`))
    .filter((l) => pick === undefined || l.includes(pick));
  if (found.length !== 1) throw new Error(`${found.length} bullets for ${path} ${pick ?? ""}`);
  return found[0];
}

describe("docs/configuration.md, generated from stacks/schema", () => {
  it("is what the schema generates", async () => {
    const current = readFileSync(PAGE, "utf8");
    const expected = await renderPage();
    if (current !== expected)
      throw new Error(
        `docs/configuration.md differs from what stacks/schema generates: run \`${REGENERATE}\` and commit the page`,
      );
  });

  it("has a description for every leaf field of the schema", () => {
    const missing = undescribed();
    if (missing.length)
      throw new Error(
        `${missing.length} schema fields have no description: add .meta({ description: "…" }) as the last call of each in stacks/schema:\n  ${missing.join("\n  ")}`,
      );
  });

  it("gives no field both a schema default and a component default", () => {
    const both = fields(platformJsonSchema())
      .filter((f) => f.schema.default !== undefined && f.schema.componentDefault !== undefined)
      .map((f) => f.path);
    expect(both).toEqual([]);
  });

  it("finds the fields that lack a description, in lists, maps and union alternatives", () => {
    const schema = z.strictObject({
      described: z.string().meta({ description: "Has one." }),
      plain: z.string(),
      list: z.array(z.strictObject({ a: z.number() })).meta({ description: "A list." }),
      map: z.record(z.string(), z.strictObject({ b: z.boolean().optional() })),
      choice: z.discriminatedUnion("type", [
        z.strictObject({ type: z.literal("x").meta({ description: "`x`: one." }), c: z.string() }),
        z.strictObject({ type: z.literal("y").meta({ description: "`y`: two." }) }),
      ]),
    });
    expect(undescribed(json(schema))).toEqual(["plain", "list[].a", "map.<name>.b", "choice.c (type: x)"]);
  });

  it("lists path, type, required, default, allowed values and description of a field", () => {
    expect(line("flux.sync.prune")).toBe(
      `- **\`flux.sync.prune\`** (boolean; optional; default \`${String(FLUX_DEFAULTS.sync.prune)}\`) — Delete objects that were removed from the repository.`,
    );
    expect(line("flux.install.logLevel")).toBe(
      `- **\`flux.install.logLevel\`** (string; optional; default \`${FLUX_DEFAULTS.install.logLevel}\`; one of \`debug\`, \`info\`, \`error\`) — Log level of the controllers.`,
    );
    expect(line("name")).toBe(
      "- **`name`** (string; required) — Platform name (one country/site and environment), a DNS label of at most 40 characters; the default cluster name and root path. Must match `^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$`. Example: `de-prod`.",
    );
  });

  it("shows the component's default where the schema sets none, read from its DEFAULTS", () => {
    expect(line("cluster.nodeGroups[].diskSize")).toBe(
      `- **\`cluster.nodeGroups[].diskSize\`** (integer, ≥ 20, ≤ 16384; optional; default \`${EKS_DEFAULTS.nodeGroup.diskSize}\` (applied by the component)) — Root volume size of each node, GiB.`,
    );
    expect(line("cluster.readyTimeout")).toBe(
      `- **\`cluster.readyTimeout\`** (integer, > 0; optional; default \`${BARE_METAL_DEFAULTS.readyTimeout}\` (applied by the component)) — Seconds each node may take to start and report Ready; the step then fails naming the node and the log to read.`,
    );
    expect(line("cluster.logTypes")).toContain(
      `default \`${JSON.stringify(EKS_DEFAULTS.logTypes)}\` (applied by the component); each one of \`api\`, \`audit\``,
    );
  });

  it("says in what a required field of an optional object or a list item is required", () => {
    expect(line("cluster.nodeGroups[].minSize")).toBe(
      "- **`cluster.nodeGroups[].minSize`** (integer, ≥ 0; required in `cluster.nodeGroups[]`) — Minimum number of nodes; at most `maxSize`.",
    );
    expect(line("dns.delegation.parentZoneId")).toMatch(
      /^- \*\*`dns.delegation.parentZoneId`\*\* \(string; required in `dns.delegation`\) — /,
    );
    expect(line("dns.parentDomain")).toMatch(/^- \*\*`dns.parentDomain`\*\* \(string; required\) — /);
  });

  it("marks secret fields and secret map values with their pulumi config set command", () => {
    expect(line("cluster.kubeconfig", "secret string")).toBe(
      "- **`cluster.kubeconfig`** (secret string; optional) — Kubeconfig contents; give this or `kubeconfigPath`. Secret: `pulumi config set --secret --path 'platform:cluster.kubeconfig' <value>`.",
    );
    expect(line("cluster.servers[].ssh.bastion.privateKey")).toContain(
      "Secret: `pulumi config set --secret --path 'platform:cluster.servers[0].ssh.bastion.privateKey' <value>`.",
    );
    expect(line("flux.secretVars")).toBe(
      "- **`flux.secretVars`** (map of string → secret string; optional; default `{}`) — Secret variables, in Secret `cluster-secret-vars`, substituted after `cluster-vars`. Values are secrets: `pulumi config set --secret --path 'platform:flux.secretVars.<name>' <value>`.",
    );
    // secret() keeps its mark when a description is added on top.
    expect(json(z.strictObject({ s: secret().meta({ description: "d" }) })).properties?.s).toMatchObject({
      secret: true,
      description: "d",
    });
  });

  it("lists a union's discriminator once, with every choice, and each choice's own fields", () => {
    const auth = fields(platformJsonSchema()).filter((f) => f.path.startsWith("flux.auth."));
    expect(auth.filter((f) => f.path === "flux.auth.type")).toHaveLength(1);
    expect(line("flux.auth.type")).toMatch(
      /^- \*\*`flux.auth.type`\*\* \(string; optional; default `none`; one of `ssh`, `https`, `githubApp`, `none`\) — `ssh`: .* `none`: /,
    );
    expect(line("flux.auth.knownHosts")).toMatch(
      /^- \*\*`flux.auth.knownHosts`\*\* \(with `type: ssh`; string; required in `flux.auth`\) — /,
    );
    expect(auth.filter((f) => f.path === "flux.auth.privateKey").map((f) => f.variant)).toEqual([
      "type: ssh",
      "type: githubApp",
    ]);
  });

  it("has one section per top-level key and per cluster kind, at the anchors other pages link to", () => {
    const headings = (level: string) => page.split("\n").filter((l) => l.startsWith(`${level} `));
    expect(headings("##")).toEqual([
      "## Platform identity",
      "## `cluster`",
      "## `dns`",
      "## `secrets`",
      "## `flux`",
      "## `fleet`",
    ]);
    expect(headings("###").filter((h) => h.includes("kind:"))).toEqual([
      "### `kind: existing`",
      "### `kind: eks`",
      "### `kind: baremetal`",
    ]);
  });
});
