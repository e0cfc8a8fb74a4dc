#!/usr/bin/env node
// `npm run demo`: builds the app when its build is missing or stale (turbo rebuilds only what
// changed, as `npm test` does before the end-to-end tests), then runs the demo
// (e2e/demo.config.ts): a fresh server with the demo data on a free port, Chromium driven
// through the demo's steps, a video and numbered screenshots in demo-output/.
// DEMO_HEADED=1 shows the browser window; arguments go on to `playwright test`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateIfStale } from "./db.mjs";
import { ensureTools } from "./ensure-tools.mjs";
import { turboEnv } from "./turbo-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const playwright = path.join(root, "e2e/node_modules/.bin/playwright");

function run(title, cmd, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}
function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

if (!existsSync(playwright) && run("Installing dependencies", "node", ["scripts/pnpm.mjs", "install", "--frozen-lockfile", "--prefer-offline"]) !== 0)
  fail("Installing dependencies failed.");
generateIfStale();
const missing = ensureTools(["chromium", "ffmpeg"]);
if (missing.length > 0) fail(`The demo needs ${missing.join(" and ")}; see above.`);
if (run("Building the app (only what changed)", "node", ["scripts/pnpm.mjs", "exec", "turbo", "run", "build", "--output-logs=errors-only"], turboEnv()) !== 0)
  fail("The build failed.");
const status = run("Playwright: the demo", playwright, ["test", "-c", "e2e/demo.config.ts", ...process.argv.slice(2)]);
if (status === 0) console.log(`\n✔ The video and screenshots are in ${path.join(root, "demo-output")}`);
process.exit(status);
