#!/usr/bin/env node
// `npm test`: installs what the tests need, then runs every test — Vitest unit and
// integration tests on SQLite and on PostgreSQL, and Playwright end-to-end tests in
// Chromium — and ends with one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateIfStale } from "./db.mjs";
import { ensureTools } from "./ensure-tools.mjs";
import { ensurePostgres } from "./postgres.mjs";
import { turboEnv } from "./turbo-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = path.join(root, ".test-results");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const results = [];
function run(title, cmd, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}
function fatal(message) {
  console.error(`\n✖ ${message}`);
  console.log("\n0 passed, 1 failed");
  process.exit(1);
}

if (run("Installing dependencies", "node", ["scripts/pnpm.mjs", "install", "--frozen-lockfile", "--prefer-offline"]) !== 0)
  fatal("Installing dependencies failed.");
generateIfStale();

const missing = ensureTools(["chromium", "postgres", "ruby", "nuget", "ffmpeg", "nginx"]);
const pgUrl = missing.includes("postgres") ? null : ensurePostgres();

function vitest(suite, args, env) {
  const file = path.join(out, `vitest-${suite}.json`);
  const status = run(
    `Vitest: ${suite}`,
    "node_modules/.bin/vitest",
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`, ...args],
    env,
  );
  if (!existsSync(file)) return results.push({ suite, passed: 0, failed: 1, skipped: 0, note: `exit ${status}, no report` });
  const r = JSON.parse(readFileSync(file, "utf8"));
  results.push({
    suite,
    passed: r.numPassedTests,
    failed: r.numFailedTests + (status !== 0 && r.numFailedTests === 0 ? 1 : 0),
    skipped: r.numPendingTests + r.numTodoTests,
  });
}

/** One Playwright run, counted from its JSON report (a run that failed without one counts as a failure). */
function playwright(suite, title, config, report, env) {
  const file = path.join(out, report);
  const status = run(title, "e2e/node_modules/.bin/playwright", ["test", "-c", config], { PLAYWRIGHT_JSON_OUTPUT_FILE: file, ...env });
  if (!existsSync(file)) return results.push({ suite, passed: 0, failed: 1, skipped: 0, note: `exit ${status}, no report` });
  const s = JSON.parse(readFileSync(file, "utf8")).stats;
  results.push({ suite, passed: s.expected + s.flaky, failed: s.unexpected + (status !== 0 && s.unexpected === 0 ? 1 : 0), skipped: s.skipped });
}

// Lint and format first: a finding fails the run like a failing test, with Biome's own report.
const biome = run("Biome: lint and format (biome check)", "node_modules/.bin/biome", ["check", "."]);
results.push({ suite: "lint and format (Biome)", passed: biome === 0 ? 1 : 0, failed: biome === 0 ? 0 : 1, skipped: 0 });

vitest("unit + integration (SQLite)", [], { KEYHOUSE_TEST_DB: "sqlite" });
if (pgUrl) vitest("integration (PostgreSQL)", ["--project", "bff (postgres)"], { KEYHOUSE_TEST_DB: "postgres", KEYHOUSE_TEST_PG_URL: pgUrl });
else results.push({ suite: "integration (PostgreSQL)", passed: 0, failed: 1, skipped: 0, note: "PostgreSQL unavailable" });

let built = false;
if (
  run("Building the app for the end-to-end tests", "node", ["scripts/pnpm.mjs", "exec", "turbo", "run", "build", "--output-logs=errors-only"], turboEnv()) !== 0
) {
  results.push({ suite: "end-to-end (Chromium)", passed: 0, failed: 1, skipped: 0, note: "build failed" });
} else if (missing.includes("chromium")) {
  results.push({ suite: "end-to-end (Chromium)", passed: 0, failed: 1, skipped: 0, note: "Chromium unavailable" });
} else {
  built = true;
  playwright(
    "end-to-end (Chromium)",
    "Playwright: end-to-end (Chromium)",
    "e2e/playwright.config.ts",
    "playwright.json",
    pgUrl ? { KEYHOUSE_TEST_PG_URL: pgUrl } : {},
  );
}

// `npm run demo` (e2e/demo.config.ts), headless, on the build above: it fails when the app
// does not show what the demo asserts.
if (!built || missing.includes("ffmpeg")) {
  results.push({ suite: "demo (Chromium)", passed: 0, failed: 1, skipped: 0, note: !built ? "no build or no Chromium" : "ffmpeg unavailable" });
} else {
  playwright("demo (Chromium)", "Playwright: the demo (npm run demo)", "e2e/demo.config.ts", "demo.json", { DEMO_HEADED: "" });
}

console.log("\nSummary");
for (const r of results)
  console.log(`  ${r.failed ? "✖" : "✔"} ${r.suite}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? ` (${r.note})` : ""}`);
const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), {
  passed: 0,
  failed: 0,
  skipped: 0,
});
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed ? 1 : 0);
