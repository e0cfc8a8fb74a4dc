#!/usr/bin/env node
// `npm run cluster`: a local cluster for trying several instances (docs/deployment.md):
// PostgreSQL (the one the tests use), CLUSTER_SIZE instances (default 3) of the built app
// on the database keyhouse_cluster (kept between runs, seeded once; its secret kept in
// data/cluster-secret) and nginx balancing them on PORT (default 3000). Ctrl-C stops
// everything.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, startCluster } from "./cluster-lib.mjs";

/**
 * One KEYHOUSE_SECRET for every run: the database is kept between runs, and its key
 * hashes and sessions hold only under the secret they were made with.
 */
function clusterSecret() {
  if (process.env.KEYHOUSE_SECRET) return process.env.KEYHOUSE_SECRET;
  const file = path.join(root, "data", "cluster-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const step = (title, args) => {
  console.log(`\n▶ ${title}`);
  const r = spawnSync("node", args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step("Installing dependencies", ["scripts/pnpm.mjs", "install", "--frozen-lockfile", "--prefer-offline"]);

let cluster;
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  console.log("\n▶ Stopping the instances and nginx");
  await cluster?.stop();
  process.exit(code);
};
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop(0));

try {
  cluster = await startCluster({
    port: Number(process.env.PORT ?? 3000),
    database: "keyhouse_cluster",
    keepDatabase: true,
    secret: clusterSecret(),
    build: "all",
    echo: (line) => console.log(line),
  });
} catch (e) {
  console.error(`\n✖ ${e.message}`);
  process.exit(1);
}
const password = process.env.DEMO_PASSWORD ?? "keyhouse-demo";
console.log(`
Keyhouse cluster: ${cluster.url} (nginx) in front of ${cluster.instances.length} instances:
${cluster.instances.map((i) => `  ${i.url}`).join("\n")}
Database: ${cluster.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}  Package files: STORAGE_URL=${process.env.STORAGE_URL ?? "database"}
Demo sign-ins (on a new database): admin, alice, bob — password ${JSON.stringify(password)}
Ctrl-C stops everything.`);

// An instance that dies is reported; nginx keeps balancing the others.
for (const inst of cluster.instances)
  inst.child.on("exit", (code, signal) => !stopping && console.log(`Instance ${inst.index + 1} (${inst.url}) stopped (${signal ?? code}).`));
cluster.nginx.on("exit", (code, signal) => {
  if (stopping) return;
  console.error(`nginx stopped (${signal ?? code}); stopping the cluster.`);
  void stop(1);
});
