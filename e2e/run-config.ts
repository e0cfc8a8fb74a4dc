import type { PlaywrightTestConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium";

/**
 * What both Playwright configs (playwright.config.ts, demo.config.ts) share: one worker, no
 * retries, a list and a JSON report, Debian's Chromium, and a fresh e2e server with the demo
 * data (scripts/e2e-server.mjs) on `port`, writing to `dataDir`.
 */
export function serialRunAgainst({ port, dataDir, reportFile }: { port: string; dataDir: string; reportFile: string }) {
  const baseURL = `http://127.0.0.1:${port}`;
  return {
    fullyParallel: false,
    workers: 1,
    retries: 0,
    reporter: [["list"], ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ?? reportFile }]],
    use: { baseURL, launchOptions: chromiumLaunchOptions },
    webServer: {
      command: `node ../scripts/e2e-server.mjs`,
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      env: { PORT: port, E2E_DATA_DIR: dataDir },
    },
  } satisfies PlaywrightTestConfig;
}
