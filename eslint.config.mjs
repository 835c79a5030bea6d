// Lint rules for the whole repository: typescript-eslint's recommended set plus a few
// rules that keep handlers honest (no floating promises is left to tsc's strictness).
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
);
