import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/**
 * A no-restricted-imports pattern for a file `depth` folders below the root: relative imports into
 * any of `layers` (top-level folders).
 */
const upward = (layers, who, depth) => ({
  regex: `^(\\.\\./){${depth}}(${layers.join("|")})(/|$)`,
  message: `${who} may not import ${layers.join(", ")}: imports point one way, cli → automation → stacks → components (see docs/architecture.md).`,
});

/** Rooms of automation/gitops/: the tools and the room they share. */
const GITOPS_TOOLS = ["lint", "diff", "publish", "slices", "tenants"];
const GITOPS_ROOMS = [...GITOPS_TOOLS, "shared"];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "policy/node_modules/",
      ".tools/",
      "render/",
      "bin/",
      "dist/",
      "coverage/",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
      eqeqeq: ["error", "always"],
    },
  },
  // One direction through the house: cli → automation → stacks → components. A relative import
  // that reaches a higher layer's top-level folder fails the lint (and so `npm test`); the depth of
  // each file is known, so `../cli` inside automation/ (automation/cli/) is not mistaken for the
  // top-level cli/. A tool room of automation/gitops/ imports shared/ and never another tool room
  // (nor the folder index, which re-exports them). Tested: test/unit/architecture.test.ts, which
  // also checks that there are no cycles.
  ...[
    { folder: "components", layers: ["stacks", "automation", "cli"], who: "components" },
    { folder: "stacks", layers: ["automation", "cli"], who: "the stacks layer" },
    { folder: "automation", layers: ["cli"], who: "automation" },
  ].flatMap(({ folder, layers, who }) =>
    [1, 2, 3, 4].map((depth) => ({
      files: [[folder, ...Array(depth - 1).fill("*"), "*.ts"].join("/")],
      rules: { "no-restricted-imports": ["error", { patterns: [upward(layers, who, depth)] }] },
    })),
  ),
  ...GITOPS_ROOMS.map((room) => ({
    files: [`automation/gitops/${room}/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            upward(["cli"], "automation", 3),
            {
              regex: `^\\.\\./(${GITOPS_TOOLS.filter((r) => r !== room).join("|")})(/|$)|^\\.\\.(/index)?$`,
              message: `automation/gitops/${room}/ may not import a tool room (or the folder index, which re-exports them): move what both need to automation/gitops/shared/ (see docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  })),
  prettier,
);
