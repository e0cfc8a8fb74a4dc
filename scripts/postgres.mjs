// Finds or starts a PostgreSQL for the tests: KEYHOUSE_TEST_PG_URL when set, otherwise
// Debian's PostgreSQL 15 cluster on this machine, started if it is not running.
import { spawnSync } from "node:child_process";

export const DEFAULT_PG_URL = "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

function reachable(url) {
  const r = spawnSync("psql", [url, "-tAc", "select 1"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 && r.stdout.trim() === "1";
}

/** The URL of a reachable PostgreSQL server, or null with the reason printed. */
export function ensurePostgres() {
  const url = process.env.KEYHOUSE_TEST_PG_URL ?? DEFAULT_PG_URL;
  if (reachable(url)) return url;
  if (process.env.KEYHOUSE_TEST_PG_URL) {
    console.error(`✖ KEYHOUSE_TEST_PG_URL is set but PostgreSQL does not answer there.`);
    return null;
  }
  const clusters = spawnSync("pg_lsclusters", ["-h"], { encoding: "utf8" });
  const line = clusters.status === 0 ? clusters.stdout.trim().split("\n").find(Boolean) : undefined;
  if (!line) {
    console.error("✖ No PostgreSQL cluster on this machine (pg_lsclusters found none).");
    return null;
  }
  const [version, cluster] = line.split(/\s+/);
  console.log(`▶ Starting PostgreSQL ${version}/${cluster}`);
  spawnSync("pg_ctlcluster", [version, cluster, "start"], { stdio: "inherit" });
  // The tests connect over TCP with a password; set the local superuser's to the default.
  spawnSync("su", ["postgres", "-c", `psql -qc "ALTER USER postgres PASSWORD 'postgres'"`], { stdio: "inherit" });
  for (let i = 0; i < 20; i++) {
    if (reachable(url)) return url;
    spawnSync("sleep", ["0.5"]);
  }
  console.error(`✖ PostgreSQL did not answer at ${url.replace(/:[^:@/]+@/, ":***@")}.`);
  return null;
}
