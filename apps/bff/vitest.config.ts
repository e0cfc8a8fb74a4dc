import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: process.env.KEYHOUSE_TEST_DB === "postgres" ? "bff (postgres)" : "bff (sqlite)",
    include: ["src/**/*.test.ts"],
    // The cluster tests (src/cluster/) start PostgreSQL, nginx and several built instances:
    // they belong to the PostgreSQL run only.
    exclude: process.env.KEYHOUSE_TEST_DB === "postgres" ? [] : ["src/cluster/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
