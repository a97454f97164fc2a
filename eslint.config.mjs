import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/** A no-restricted-imports pattern: relative imports into any of `layers` (top-level folders). */
const upward = (layers, who) => ({
  regex: `^(\\.\\.?/)+(${layers.join("|")})(/|$)`,
  message: `${who} may not import ${layers.join(", ")}: imports point one way, cli → automation → program → components (see docs/architecture.md).`,
});

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
  // One direction through the house: cli → automation → program → components. A relative import
  // that reaches a higher layer's folder fails the lint (and so `npm test`). Cycles: test/unit/architecture.test.ts.
  {
    files: ["components/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [upward(["program", "automation", "cli"], "components")] },
      ],
    },
  },
  {
    files: ["program/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [upward(["automation", "cli"], "the program")] }],
    },
  },
  prettier,
);
