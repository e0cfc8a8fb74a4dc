import { defineConfig } from "vitest/config";

// One run over every package's unit and integration tests. KEYHOUSE_TEST_DB chooses
// the database the integration tests use ("sqlite", the default, or "postgres").
export default defineConfig({
  test: {
    projects: ["packages/shared", "apps/bff", "apps/web"],
    // Each integration test file makes its own database and many start real clients;
    // two files at a time suits the 2-core machines.
    maxWorkers: 2,
  },
});
