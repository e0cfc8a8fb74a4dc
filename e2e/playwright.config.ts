import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { serialRunAgainst } from "./run-config";

// One data folder per run, shared with the test workers (they inherit this process's
// environment) so tests can inspect the database file the server writes.
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), "keyhouse-e2e-"));

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${PORT}`;

const shared = serialRunAgainst({ port: String(PORT), dataDir: process.env.E2E_DATA_DIR, reportFile: "./.artifacts/report.json" });

export default defineConfig({
  ...shared,
  testDir: "./tests",
  outputDir: "./.artifacts/results",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    ...shared.use,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...devices["Desktop Chrome"],
  },
});
