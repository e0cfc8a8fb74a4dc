import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: process.env.KEYHOUSE_TEST_DB === "postgres" ? "bff (postgres)" : "bff (sqlite)",
    include: ["src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
