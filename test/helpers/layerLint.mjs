// Lints source texts as if they stood at the given paths, with the project's own eslint.config.mjs
// and only its import-direction rule (no type information needed), and prints, per case, the
// messages of no-restricted-imports. Run in plain Node (ESLint loads its ESM config, which Jest's
// module registry cannot): node test/helpers/layerLint.mjs <repo root> '<json [{filePath, code}]>'
import { ESLint } from "eslint";
import path from "node:path";

const [root, json] = process.argv.slice(2);
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    linterOptions: { reportUnusedDisableDirectives: "off" },
  },
  ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports",
});
const out = [];
for (const { filePath, code } of JSON.parse(json)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  out.push(result.messages.map((m) => m.message));
}
process.stdout.write(JSON.stringify(out) + "\n");
