// `npm run demo` and the demo step of `npm test` (README, "Demo"):
// a fresh server with the demo data on a free port, and Chromium driven through
// what Keyhouse is for. The video and numbered screenshots land in demo-output/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import { serialRunAgainst } from "./run-config";

// The config is read again in each worker, which inherits this environment: the port and
// the data folder are chosen once, by the first reading.
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), "keyhouse-demo-"));
process.env.DEMO_PORT ??= freePort();

/** A port nobody listens on now: asked of the system (listen on 0), synchronously. */
function freePort(): string {
  const probe = `const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });`;
  const r = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
  if (r.status !== 0 || !/^\d+$/.test(r.stdout)) throw new Error(`Could not find a free port: ${r.stderr}`);
  return r.stdout;
}

const root = fileURLToPath(new URL("..", import.meta.url));

// Playwright records video with its own ffmpeg build, which it cannot download here;
// Debian's ffmpeg (libvpx) takes the same arguments. It is offered to Playwright under the
// name and revision it looks for, in a browsers folder of our own (we launch Debian's
// Chromium by path, so nothing else is looked up there).
const FFMPEG = process.env.FFMPEG_PATH ?? "/usr/bin/ffmpeg";
if (!process.env.PLAYWRIGHT_BROWSERS_PATH) {
  if (!existsSync(FFMPEG))
    throw new Error(`The demo records a video with ffmpeg, and ${FFMPEG} is missing: install Debian's ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH.`);
  const require = createRequire(require_from());
  const core = path.dirname(require.resolve("playwright-core/package.json"));
  const { browsers } = JSON.parse(readFileSync(path.join(core, "browsers.json"), "utf8")) as { browsers: { name: string; revision: string }[] };
  const revision = browsers.find((b) => b.name === "ffmpeg")?.revision;
  const browsersPath = path.join(root, "e2e/.artifacts/ms-playwright");
  const linked = path.join(browsersPath, `ffmpeg-${revision}`, "ffmpeg-linux");
  if (!existsSync(linked)) {
    mkdirSync(path.dirname(linked), { recursive: true });
    symlinkSync(FFMPEG, linked);
  }
  process.env.PLAYWRIGHT_BROWSERS_PATH = browsersPath;
}

/** Where @playwright/test resolves from, so playwright-core is the copy it uses. */
function require_from(): string {
  return createRequire(import.meta.url).resolve("@playwright/test");
}
export const DEMO_OUTPUT = process.env.DEMO_OUTPUT ?? path.join(root, "demo-output");
process.env.DEMO_OUTPUT = DEMO_OUTPUT;
const headed = process.env.DEMO_HEADED === "1";

const shared = serialRunAgainst({ port: process.env.DEMO_PORT, dataDir: process.env.E2E_DATA_DIR, reportFile: "./.artifacts/demo-report.json" });

export default defineConfig({
  ...shared,
  testDir: "./demo",
  outputDir: "./.artifacts/demo-results",
  // The demo's steps share one page (one video); each gets its own time.
  timeout: 45_000,
  expect: { timeout: 10_000 },
  use: {
    ...shared.use,
    ...devices["Desktop Chrome"],
    headless: !headed,
    trace: "retain-on-failure",
  },
});
