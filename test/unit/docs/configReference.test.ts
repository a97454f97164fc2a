import { readFileSync } from "node:fs";
import {
  BEGIN,
  END,
  PAGE,
  REGENERATE,
  renderPage,
  renderReference,
} from "../../../scripts/docs/configReference";

describe("docs/configuration.md schema reference", () => {
  it("matches the schema (regenerate with npm run docs:config)", () => {
    const current = readFileSync(PAGE, "utf8");
    const expected = renderPage(current);
    if (current !== expected)
      throw new Error(`docs/configuration.md is out of date with program/schema: run \`${REGENERATE}\``);
    expect(current).toContain(BEGIN);
    expect(current).toContain(END);
  });

  it("lists every cluster kind, marks secrets with their command and shows defaults", () => {
    const ref = renderReference();
    expect(ref).toContain("### `cluster` — `kind: existing`");
    expect(ref).toContain("### `cluster` — `kind: eks`");
    expect(ref).toContain("### `cluster` — `kind: baremetal`");
    expect(ref).toMatch(
      /\| `cluster.kubeconfig` +\| secret string +\| optional +\| — +\| Kubeconfig contents; give this or `kubeconfigPath`\. Secret: `pulumi config set --secret --path 'platform:cluster.kubeconfig' <value>`\. +\|/,
    );
    expect(ref).toMatch(/\| `flux.sync.prune` +\| boolean +\| optional +\| `true` +\|/);
    expect(ref).toMatch(
      /\| `name` +\| string +\| required +\| — +\| Platform name .* Must match `\^\[a-z\]\(.* Example: `de-prod`\. +\|/,
    );
  });

  it("replaces only the generated part and appends it when the markers are missing", () => {
    const page = `# Title\n\nhand-written\n\n${BEGIN}\n\nstale\n\n${END}\n\ntrailer\n`;
    const out = renderPage(page);
    expect(out.startsWith("# Title\n\nhand-written\n\n" + BEGIN)).toBe(true);
    expect(out.endsWith(`${END}\n\ntrailer\n`)).toBe(true);
    expect(out).not.toContain("stale");
    const appended = renderPage("# Title\n");
    expect(appended.startsWith(`# Title\n\n${BEGIN}\n\n## Schema reference\n`)).toBe(true);
    expect(appended.endsWith(`${END}\n`)).toBe(true);
  });
});
