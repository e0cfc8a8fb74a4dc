#!/usr/bin/env node
// The server the end-to-end tests run against: the built app on a brand-new SQLite
// database in a temporary folder, seeded with the demo data. It trusts one proxy hop (the
// browser, on loopback, stands in for a reverse proxy) so that each test's X-Forwarded-For
// gives it its own client address (the sign-in throttle counts per address).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "./db.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "keyhouse-e2e-"));
const url = `file:${path.join(dir, "keyhouse.db")}`;
// A copy of the built SPA, so a rebuild during the run cannot pull it from under the server.
const web = path.join(dir, "web");
cpSync(path.join(root, "apps/web/dist"), web, { recursive: true });
migrate(url);
const env = {
  ...process.env,
  DATABASE_URL: url,
  KEYHOUSE_DATA_DIR: dir,
  KEYHOUSE_TRUST_PROXY: "1",
  KEYHOUSE_SEED: "demo",
  KEYHOUSE_WEB_DIST: web,
  PORT: process.env.PORT ?? "3100",
};
const server = spawn("node", ["--enable-source-maps", "apps/bff/dist/main.mjs"], { cwd: root, stdio: "inherit", env });
const stop = (signal) => server.kill(signal);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
