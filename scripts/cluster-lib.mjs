// A local cluster (docs/deployment.md, "Several instances"): PostgreSQL, N instances of the
// built BFF on one database, one KEYHOUSE_SECRET and one STORAGE_URL, and nginx from the
// distribution's packages balancing them. `npm run cluster`, the cluster tests
// (apps/bff/src/cluster/) and `npm run bench:cluster` all start it through startCluster.
// Only loopback addresses; every process started here is stopped by stop().
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateIfStale } from "./db.mjs";
import { ensureTools } from "./ensure-tools.mjs";
import { ensurePostgres } from "./postgres.mjs";
import { turboEnv } from "./turbo-env.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));
const MAIN = path.join(root, "apps/bff/dist/main.mjs");
const NGINX = "/usr/sbin/nginx";
const START_TIMEOUT_MS = 60_000;

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Builds the BFF (and with `all`, the SPA) through turbo, which skips what is current.
 * Throws with turbo's output when the build fails.
 */
export function build(what = "all") {
  generateIfStale();
  const filter = what === "bff" ? ["--filter=@keyhouse/bff"] : [];
  const r = spawnSync("node", ["scripts/pnpm.mjs", "exec", "turbo", "run", "build", ...filter, "--output-logs=errors-only"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...turboEnv() },
  });
  if (r.status !== 0 || !existsSync(MAIN)) throw new Error(`Building the BFF failed:\n${r.stdout}\n${r.stderr}`);
}

/** The nginx configuration: everything it writes stays inside `dir`. */
export function nginxConfig({ dir, port, upstreams, maxUploadMb }) {
  const temp = (name) => path.join(dir, name);
  return `# Written by scripts/cluster-lib.mjs; see docs/deployment.md.
worker_processes 1;
pid ${temp("nginx.pid")};
error_log ${temp("error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  # Above MAX_UPLOAD_MB: the instances' upload gate answers 413 with its own message.
  client_max_body_size ${maxUploadMb + 1}m;
  upstream keyhouse {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://keyhouse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Uploads stream to the instance as they arrive, so its upload gate refuses a bad
      # key or an oversized body before the body is read; downloads stream back alike.
      proxy_request_buffering off;
      proxy_buffering off;
      # A request is tried on the next instance only when its instance could not be
      # reached or timed out. Not non_idempotent: a push (PUT/POST) that reached an
      # instance may have committed before the failure; sending it again could apply it
      # twice. (With request buffering off nginx cannot resend a body it started anyway.)
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_send_timeout 300s;
      proxy_read_timeout 300s;
    }
  }
}
`;
}

/** Resolves when `child` prints a line matching `pattern`; rejects when it exits or the time runs out. */
function waitForLine(child, output, pattern, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${START_TIMEOUT_MS / 1000} s:\n${output.join("\n")}`)), START_TIMEOUT_MS);
    const onLine = (line) => pattern.test(line) && done();
    const onExit = (code, signal) => done(new Error(`${what} exited (${signal ?? code}) while starting:\n${output.join("\n")}`));
    function done(err) {
      clearTimeout(timer);
      child.off("line", onLine);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
    if (output.some((l) => pattern.test(l))) return done();
    child.on("line", onLine);
    child.once("exit", onExit);
  });
}

/** Keeps a child's output lines (bounded) and emits each as "line"; `echo` prints them too. */
function capture(child, prefix, echo) {
  const output = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop();
      for (const line of lines) {
        if (output.length >= 5000) output.shift();
        output.push(line);
        if (echo) echo(`${prefix}${line}`);
        child.emit("line", line);
      }
    });
  }
  return output;
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Ends a child and waits for it: `signal` first, SIGKILL after `graceMs`. */
export function stopChild(child, signal = "SIGTERM", graceMs = 5_000) {
  if (!child || exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function psql(adminUrl, sql) {
  const r = spawnSync("psql", [adminUrl, "-v", "ON_ERROR_STOP=1", "-tAc", sql], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`PostgreSQL refused \`${sql}\`: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function createDatabase(adminUrl, name, { fresh }) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${name} is not a plain database name`);
  if (fresh) psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (psql(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== "1") psql(adminUrl, `CREATE DATABASE ${name}`);
  return adminUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
}

/**
 * Applies the committed PostgreSQL migrations not yet applied, each file in one transaction,
 * as the test databases get them (apps/bff/src/test/database.ts). Not `prisma migrate
 * deploy`: its statement splitter currently fails on one committed migration whose
 * comments hold an apostrophe, where psql and the pg driver apply it.
 */
function migrateCluster(url) {
  psql(url, `CREATE TABLE IF NOT EXISTS keyhouse_cluster_migrations (name text PRIMARY KEY)`);
  const done = new Set(psql(url, "SELECT name FROM keyhouse_cluster_migrations").split("\n").filter(Boolean));
  const dir = path.join(root, "prisma/postgres/migrations");
  for (const name of readdirSync(dir)
    .filter((d) => /^\d+_/.test(d))
    .sort()) {
    if (done.has(name)) continue;
    const r = spawnSync(
      "psql",
      [
        url,
        "-v",
        "ON_ERROR_STOP=1",
        "-q",
        "-1",
        "-f",
        path.join(dir, name, "migration.sql"),
        "-c",
        `INSERT INTO keyhouse_cluster_migrations VALUES ('${name}')`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`Migration ${name} failed: ${r.stderr.trim()}`);
  }
}

function dropDatabase(adminUrl, name) {
  psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Starts a cluster. Options:
 * - size: instances (default CLUSTER_SIZE or 3); port: nginx's port (0: a free one)
 * - database: its name (default a fresh keyhouse_cluster_<random>, dropped by stop());
 *   keepDatabase: leave it in place at stop (npm run cluster)
 * - seed: "demo" (default) seeds the demo data once, through the first instance; "none"
 * - beforeStart(databaseUrl, secret): runs after the migrations, before any instance starts
 * - env: more environment for every instance (SMTP_URL, LOG_RETENTION_DAYS, …)
 * - build: "all" (SPA too), "bff" or false; echo: a function that gets every output line
 * - balancer: false starts no nginx (the benchmark's baseline)
 */
export async function startCluster(options = {}) {
  const size = options.size ?? Number(process.env.CLUSTER_SIZE ?? 3);
  if (!Number.isInteger(size) || size < 1 || size > 16) throw new Error(`CLUSTER_SIZE must be a whole number from 1 to 16 (got ${size}).`);
  const echo = options.echo;
  const say = (line) => echo?.(line);
  const balancer = options.balancer ?? true;
  const missing = ensureTools(balancer ? ["postgres", "nginx"] : ["postgres"]);
  if (missing.length) throw new Error(`The cluster needs ${missing.join(" and ")}; see the messages above.`);
  const adminUrl = ensurePostgres();
  if (!adminUrl) throw new Error("The cluster needs PostgreSQL; see the message above.");
  if (options.build !== false) {
    say("▶ Building (turbo skips what is current)");
    build(options.build ?? "bff");
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-cluster-"));
  // nginx's workers (user nobody) must reach their temporary folders inside it.
  chmodSync(dir, 0o755);
  const children = [];
  const databaseName = options.database ?? `keyhouse_cluster_${randomBytes(5).toString("hex")}`;
  let databaseUrl;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map((c) => stopChild(c)));
    if (databaseUrl && !options.keepDatabase) {
      try {
        dropDatabase(adminUrl, databaseName);
      } catch {
        // stop() must finish; a database left behind is only disk.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    databaseUrl = createDatabase(adminUrl, databaseName, { fresh: !options.keepDatabase });
    say(`▶ Migrating ${databaseName}`);
    migrateCluster(databaseUrl);
    const secret = options.secret ?? randomBytes(32).toString("base64url");
    if (options.beforeStart) await options.beforeStart(databaseUrl, secret);

    const port = options.port || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const maxUploadMb = Number(options.env?.MAX_UPLOAD_MB ?? process.env.MAX_UPLOAD_MB ?? 250);
    const ports = [];
    for (let i = 0; i < size; i++) ports.push(await freePort());

    const instances = ports.map((p, i) => ({ index: i, port: p, url: `http://127.0.0.1:${p}`, dataDir: path.join(dir, `instance-${i + 1}`) }));
    const startInstance = async (inst, seed) => {
      mkdirSync(inst.dataDir, { recursive: true });
      const child = spawn(process.execPath, ["--enable-source-maps", MAIN], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: "production",
          DEMO_PASSWORD: process.env.DEMO_PASSWORD,
          STORAGE_URL: process.env.STORAGE_URL ?? "database",
          MAX_UPLOAD_MB: String(maxUploadMb),
          ...options.env,
          PORT: String(inst.port),
          DATABASE_URL: databaseUrl,
          KEYHOUSE_SECRET: secret,
          // No PUBLIC_URL: links follow the Host a request came to (nginx passes the client's
          // Host on), so each instance reached directly links to itself and through nginx to nginx.
          KEYHOUSE_TRUST_PROXY: "1",
          KEYHOUSE_DATA_DIR: inst.dataDir,
          KEYHOUSE_SEED: seed,
        },
      });
      children.push(child);
      inst.child = child;
      inst.output = capture(child, `[${inst.index + 1}] `, echo);
      await waitForLine(child, inst.output, /^Keyhouse is running at /, `Instance ${inst.index + 1}`);
    };
    say(`▶ Starting ${size} instance${size === 1 ? "" : "s"}`);
    // The first seeds an empty database; the others start on the seeded one together.
    await startInstance(instances[0], options.seed ?? "demo");
    await Promise.all(instances.slice(1).map((inst) => startInstance(inst, "none")));

    let nginx;
    if (balancer) {
      const conf = path.join(dir, "nginx.conf");
      writeFileSync(conf, nginxConfig({ dir, port, upstreams: ports, maxUploadMb }));
      nginx = spawn(NGINX, ["-c", conf, "-g", "daemon off;"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      children.push(nginx);
      const nginxOutput = capture(nginx, "[nginx] ", echo);
      await waitForHealth(url, nginx, () => nginxOutput.join("\n") || "(no output; see error.log in the cluster folder)");
    }

    for (const inst of instances) {
      /** kill -9, as a crash would: no graceful shutdown. */
      inst.kill = (signal = "SIGKILL") => stopChild(inst.child, signal);
      inst.alive = () => !exited(inst.child);
    }
    return { url, port, dir, databaseUrl, databaseName, secret, instances, nginx, stop, adminUrl };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Polls /healthz through `url` until it answers 200: at most 200 tries, 25 ms apart. */
async function waitForHealth(url, child, output) {
  for (let i = 0; i < 200; i++) {
    if (exited(child)) throw new Error(`nginx exited while starting:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not answer at ${url} within 5 s:\n${output()}`);
}
