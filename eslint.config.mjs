// Lint rules for the whole repository: typescript-eslint's recommended set plus a few
// rules that keep handlers honest. A promise nobody awaits loses its error (and, in a
// Lambda, may still run when the next invocation starts): tsc does not check that, so
// no-floating-promises does, with the type information of tsconfig.json.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".local/",
      "cdktf.out/",
      "dist/",
      "coverage/",
      "test/fixtures/",
      "bench/results/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-console": "off",
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: { "@typescript-eslint/no-floating-promises": "error" },
  },
);
