#!/usr/bin/env node
// `npm start`: install, generate the Prisma clients, migrate the database, build, serve.
// Everything a fresh clone needs; a second run keeps the data and skips what is current.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { generateIfStale, migrate } from "./db.mjs";
import { turboEnv } from "./turbo-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function step(title, cmd, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n✖ ${title} failed (exit code ${r.status}). Fix the error above and run \`npm start\` again.`);
    process.exit(r.status ?? 1);
  }
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Keyhouse needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

step("Installing dependencies", "node", ["scripts/pnpm.mjs", "install", "--frozen-lockfile", "--prefer-offline"]);
console.log("\n▶ Generating the database clients");
generateIfStale();
console.log("\n▶ Applying database migrations");
try {
  migrate();
} catch (e) {
  console.error(`✖ ${e.message}. Check DATABASE_URL.`);
  process.exit(1);
}
step("Building the app", "node", ["scripts/pnpm.mjs", "exec", "turbo", "run", "build", "--output-logs=errors-only"], turboEnv());

console.log("\n▶ Starting Keyhouse");
const server = spawn("node", ["--enable-source-maps", "apps/bff/dist/main.mjs"], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
