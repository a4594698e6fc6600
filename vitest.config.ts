import { defineConfig } from "vitest/config";
import { flowbookCaptures } from "./src/session/vite_plugin.js";

export default defineConfig({
  // Functions defined in test and bench files record what they capture, so tests can send
  // them to a runner exactly as a notebook cell or `flowbook run` script would.
  plugins: [flowbookCaptures({ include: /[\\/](test|bench)[\\/].*\.[cm]?[jt]sx?$/ })],
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    testTimeout: 60000,
    pool: "forks",
  },
});
