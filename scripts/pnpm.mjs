#!/usr/bin/env node
// Runs the pnpm pinned in package.json through npx: corepack cannot verify
// registry signatures on our machines, so it is not relied on.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pm = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).packageManager;
const r = spawnSync("npx", ["--yes", pm, ...process.argv.slice(2)], { stdio: "inherit", cwd: process.cwd() || root });
process.exit(r.status ?? 1);
