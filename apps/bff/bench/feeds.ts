// `pnpm bench:feeds` — the feed-read quality bars of docs/quality-bars.md, measured in one run on
// loopback: a bare Express 5 route answering the packument's bytes from memory (the
// baseline), anonymous vs key-authenticated npm packument and NuGet service-index reads
// with 100 and with 100 000 keys in the database, and the cost of access logging (off,
// metadata, request+response bodies) on the keyed packument read.
//
// Servers run in child processes (bench/server.ts), so the load generator (autocannon,
// here, 50 connections, one key per connection: 50 CI clients) never shares their event
// loop: one server process per case (so no case runs on code the JIT shaped for another),
// over two temporary databases (100 keys, 100 000 keys; SQLite, or PostgreSQL with
// KEYHOUSE_TEST_DB=postgres); access logging is turned off for its case with an internal
// switch (ServiceOptions.accessLogDisabled). Cases run one at a time, each after a short warm-up. On a machine
// shared with other work, background load comes in bursts that would land on one case and
// not on the one it is compared with, so each case's time is split into BENCH_ROUNDS slices
// taken in turn (case 1, 2, …, 12, then again): every ratio compares figures taken under
// the same conditions. BENCH_ROUNDS=1 runs each case in one go instead. After each slice
// the server writes what it still owes (queued access-log entries, last-used times), and
// that time counts towards the slice, so logging's deferred work is charged to its case.
//
// Environment: BENCH_DURATION (s per case, 10), BENCH_WARMUP (s, 2), BENCH_REWARM (s of
// unmeasured load before each slice, 0.5), BENCH_ROUNDS (5),
// BENCH_CONNECTIONS (50), BENCH_CPU_PROF=DIR (write the servers' CPU profiles there).
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { build } from "esbuild";
import { createTestDatabase, testProvider, type TestDatabase } from "../src/test/database.ts";
import { TEST_SECRET } from "../src/test/server.ts";
import { cloneDatabase, FEEDS, fillKeys, PACKAGE, seedWorld, type World } from "./world.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, "..");

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const REWARM = Number(process.env.BENCH_REWARM ?? 0.5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CPU_PROF = process.env.BENCH_CPU_PROF;
const ONLY = process.env.BENCH_CASES ? new RegExp(process.env.BENCH_CASES) : null;

// What `npm install` sends for a packument, and what NuGet sends for its service index.
const NPM_HEADERS = {
  accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*",
  "user-agent": "npm/10.9.3 node/v22.20.0 linux x64 workspaces/false",
  "npm-command": "install",
};
const NUGET_HEADERS = { accept: "application/json", "user-agent": "NuGet Command Line/6.12.1 (Linux)" };

const log = (line: string) => process.stderr.write(`${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---------------------------------------------------------------------------------------
// Server children.

/**
 * The server bundled as `npm start` runs it (build.mjs: esbuild, dependencies external, no
 * keepNames), rather than through tsx, whose transform wraps every function created at run
 * time (per-request closures included) in a naming helper that costs real time.
 */
async function bundleServer(): Promise<string> {
  const outfile = path.join(here, ".build", "server.mjs");
  await build({
    entryPoints: [path.join(here, "server.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    plugins: [
      {
        name: "bundle-workspace",
        setup(b) {
          b.onResolve({ filter: /^@keyhouse\/shared$/ }, () => ({ path: path.resolve(appDir, "../../packages/shared/src/index.ts") }));
        },
      },
    ],
    banner: { js: "import { createRequire as __kh_createRequire } from 'node:module'; const require = __kh_createRequire(import.meta.url);" },
    logLevel: "warning",
  });
  return outfile;
}

let serverScript: string | undefined;

type ServerStats = { cpuMs: number; loopP99: number; loopMax: number };
type Child = { name: string; url: string; stop: () => Promise<void>; reset: () => void; settle: () => Promise<number>; stats: () => Promise<ServerStats> };

function startChild(name: string, env: Record<string, string>): Promise<Child> {
  const execArgv: string[] = [];
  if (CPU_PROF) {
    mkdirSync(CPU_PROF, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(CPU_PROF)}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`);
  }
  const child: ChildProcess = fork(serverScript!, [], {
    cwd: appDir,
    execArgv,
    env: { ...process.env, ...env, BENCH_NAME: name },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T>(message: string, field: string) =>
    new Promise<T>((done) => {
      const on = (m: Record<string, unknown>) => {
        if (!(field in m)) return;
        child.off("message", on);
        done(m[field] as T);
      };
      child.on("message", on);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server ${name} exited with ${code}`)));
    child.once("message", (m: { port: number }) => {
      child.removeAllListeners("exit");
      resolve({
        name,
        url: `http://127.0.0.1:${m.port}`,
        reset: () => child.send("reset"),
        settle: () => ask<number>("settle", "settled"),
        stats: () => ask<ServerStats>("stats", "stats"),
        stop: () =>
          new Promise<void>((done) => {
            child.once("exit", () => done());
            child.send("stop");
            setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
          }),
      });
    });
  });
}

async function expectStatus(url: string, headers: Record<string, string>, status: number, what: string): Promise<Buffer> {
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${body.toString("utf8").slice(0, 300)}`);
  return body;
}

// ---------------------------------------------------------------------------------------
// Cases and load.

type Case = { label: string; keys: string; child: Child; path: string; headers: Record<string, string>; perConnection?: (i: number) => Record<string, string> };
type Slice = { seconds: number; requests: number; p50: number; p99: number; bad: number; cpuMs: number; loopP99: number; loopMax: number };
type Row = {
  label: string;
  keys: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
  cpuUs: number;
  loopP99: number;
  loopMax: number;
};

async function slice(c: Case, seconds: number, measure: boolean): Promise<Slice> {
  if (measure) c.child.reset();
  let i = 0;
  const r = await autocannon({
    url: c.child.url + c.path,
    connections: CONNECTIONS,
    duration: seconds,
    headers: c.headers,
    ...(c.perConnection ? { setupClient: (client: autocannon.Client) => client.setHeaders({ ...c.headers, ...c.perConnection!(i++) }) } : {}),
  });
  // The access-log entries and last-used times these requests owe are written now, and
  // counted in this slice's time and CPU, not in whichever case runs next.
  const settled = (await c.child.settle()) / 1000;
  const s = measure ? await c.child.stats() : { cpuMs: 0, loopP99: 0, loopMax: 0 };
  return { seconds: r.duration + settled, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts, ...s };
}

function summarise(c: Case, slices: Slice[]): Row {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  return {
    label: c.label,
    keys: c.keys,
    rps: requests / seconds,
    p50: median(slices.map((s) => s.p50)),
    p99: median(slices.map((s) => s.p99)),
    requests,
    bad: slices.reduce((n, s) => n + s.bad, 0),
    cpuUs: (slices.reduce((n, s) => n + s.cpuMs, 0) * 1000) / Math.max(1, requests),
    loopP99: median(slices.map((s) => s.loopP99)),
    loopMax: Math.max(...slices.map((s) => s.loopMax)),
  };
}

async function seedDatabase(t: TestDatabase, dataDir: string, keys: number): Promise<World> {
  const world = await seedWorld(t.db, dataDir, CONNECTIONS);
  await t.db.$disconnect();
  const filled = await fillKeys(t.url, world.owners, keys);
  log(`  ${filled.count} keys in the database (${filled.seconds.toFixed(1)} s to fill)`);
  return world;
}

// ---------------------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  const loadBefore = loadavg();
  log(
    `bench:feeds — ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per case in ${ROUNDS} round(s), ${testProvider}, load average ${loadBefore}, ${os.cpus().length} CPUs`,
  );
  const dirs = [mkdtempSync(path.join(os.tmpdir(), "keyhouse-bench-")), mkdtempSync(path.join(os.tmpdir(), "keyhouse-bench-"))] as const;
  const small = await createTestDatabase();
  const large = await createTestDatabase();
  const children: Child[] = [];
  const clones: { url: string; drop: () => Promise<void> }[] = [];
  const rows: Row[] = [];
  try {
    serverScript = await bundleServer();
    log("seeding the 100-key database…");
    const worldSmall = await seedDatabase(small, dirs[0], 100);
    log("seeding the 100 000-key database…");
    const worldLarge = await seedDatabase(large, dirs[1], 100_000);

    const env = (t: TestDatabase, dir: string) => ({ BENCH_MODE: "app", BENCH_DATABASE_URL: t.url, BENCH_SECRET: TEST_SECRET, BENCH_DATA_DIR: dir });
    const envSmall = env(small, dirs[0]);
    const envLarge = env(large, dirs[1]);
    const bearer = (keys: string[]) => (i: number) => ({ authorization: `Bearer ${keys[i % keys.length]}` });
    const nugetKey = (keys: string[]) => (i: number) => ({ "x-nuget-apikey": keys[i % keys.length]! });
    const npmOpen = `/npm/${FEEDS.npmOpen}/${PACKAGE}`;
    const npmPrivate = `/npm/${FEEDS.npmPrivate}/${PACKAGE}`;
    const nugetOpen = `/nuget/${FEEDS.nugetOpen}/v3/index.json`;
    const nugetPrivate = `/nuget/${FEEDS.nugetPrivate}/v3/index.json`;

    // One server process per case, so no case runs on code the JIT shaped for another, each
    // with a copy of its database to itself.
    await small.db.$disconnect();
    await large.db.$disconnect();
    const start = async (name: string, e: Record<string, string>, world: World) => {
      const clone = await cloneDatabase(e.BENCH_DATABASE_URL!, name);
      clones.push(clone);
      const child = await startChild(name, { ...e, BENCH_DATABASE_URL: clone.url });
      children.push(child);
      // The feeds are set up as the cases assume: open ones answer without a key, private ones do not.
      await expectStatus(child.url + npmOpen, NPM_HEADERS, 200, `${name}: anonymous packument on the open feed`);
      await expectStatus(child.url + npmPrivate, NPM_HEADERS, 401, `${name}: anonymous packument on the private feed`);
      await expectStatus(child.url + npmPrivate, { ...NPM_HEADERS, ...bearer(world.readers)(0) }, 200, `${name}: keyed packument on the private feed`);
      await expectStatus(child.url + nugetOpen, NUGET_HEADERS, 200, `${name}: anonymous service index on the open feed`);
      await expectStatus(child.url + nugetPrivate, NUGET_HEADERS, 401, `${name}: anonymous service index on the private feed`);
      await expectStatus(
        child.url + nugetPrivate,
        { ...NUGET_HEADERS, ...nugetKey(world.readers)(0) },
        200,
        `${name}: keyed service index on the private feed`,
      );
      return child;
    };

    // The baseline answers the very bytes Keyhouse answers a keyed `npm install`.
    const probe = await start("probe", envSmall, worldSmall);
    const bytes = await expectStatus(probe.url + npmPrivate, { ...NPM_HEADERS, ...bearer(worldSmall.readers)(0) }, 200, "packument");
    await probe.stop();
    children.splice(children.indexOf(probe), 1);
    const bareFile = path.join(dirs[0], "packument.json");
    writeFileSync(bareFile, bytes);
    const bare = await startChild("bare", {
      BENCH_MODE: "bare",
      BENCH_BARE_FILE: bareFile,
      BENCH_BARE_PATH: npmPrivate,
      BENCH_BARE_TYPE: "application/vnd.npm.install-v1+json; charset=utf-8",
    });
    children.push(bare);
    if (!(await expectStatus(bare.url + npmPrivate, NPM_HEADERS, 200, "bare route")).equals(bytes))
      throw new Error("the bare route does not answer the same bytes");
    log(`the packument: ${bytes.length} bytes (the abbreviated form npm install asks for)`);

    const readCases = async (e: Record<string, string>, world: World, keys: string): Promise<Case[]> => [
      { label: "npm packument, anonymous", keys, child: await start(`npm-anon-${keys}`, e, world), path: npmOpen, headers: NPM_HEADERS },
      {
        label: "npm packument, keyed (Bearer)",
        keys,
        child: await start(`npm-keyed-${keys}`, e, world),
        path: npmPrivate,
        headers: NPM_HEADERS,
        perConnection: bearer(world.readers),
      },
      { label: "NuGet service index, anonymous", keys, child: await start(`nuget-anon-${keys}`, e, world), path: nugetOpen, headers: NUGET_HEADERS },
      {
        label: "NuGet service index, keyed (X-NuGet-ApiKey)",
        keys,
        child: await start(`nuget-keyed-${keys}`, e, world),
        path: nugetPrivate,
        headers: NUGET_HEADERS,
        perConnection: nugetKey(world.readers),
      },
    ];
    const cases: Case[] = [
      { label: "bare Express 5 route, same bytes", keys: "-", child: bare, path: npmPrivate, headers: NPM_HEADERS },
      ...(await readCases(envSmall, worldSmall, "100")),
      ...(await readCases(envLarge, worldLarge, "100000")),
      {
        label: "keyed packument, access log off",
        keys: "100000",
        child: await start("log-off", { ...envLarge, BENCH_ACCESS_LOG: "off" }, worldLarge),
        path: npmPrivate,
        headers: NPM_HEADERS,
        perConnection: bearer(worldLarge.readers),
      },
      {
        label: "keyed packument, log metadata",
        keys: "100000",
        child: await start("log-metadata", envLarge, worldLarge),
        path: npmPrivate,
        headers: NPM_HEADERS,
        perConnection: bearer(worldLarge.readers),
      },
      {
        label: "keyed packument, 50 allowed networks",
        keys: "100000",
        child: await start("networks", envLarge, worldLarge),
        path: npmPrivate,
        headers: NPM_HEADERS,
        perConnection: bearer(worldLarge.networkReaders),
      },
      {
        label: "keyed packument, log request+response bodies",
        keys: "100000",
        child: await start("log-bodies", envLarge, worldLarge),
        path: npmPrivate,
        headers: NPM_HEADERS,
        perConnection: bearer(worldLarge.bodyReaders),
      },
    ];

    // BENCH_CASES=regex: run only the cases whose "label keys" matches (for profiling one path); the report then checks only the ratios it has both sides of.
    if (ONLY) cases.splice(0, cases.length, ...cases.filter((c) => ONLY.test(`${c.label} ${c.keys}`)));
    log(`warming up (${WARMUP} s a case)…`);
    for (const c of cases) await slice(c, WARMUP, false);
    const slices = cases.map(() => [] as Slice[]);
    const per = DURATION / ROUNDS;
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round} of ${ROUNDS} (${per} s a case) [load ${loadavg()}]`);
      for (const [i, c] of cases.entries()) {
        // Its server sat idle while the other cases ran, so its caches went cold: a short
        // unmeasured burst first, as a feed in steady use would be (keys, feeds, JIT).
        if (REWARM > 0) await slice(c, REWARM, false);
        const s = await slice(c, per, true);
        slices[i]!.push(s);
        log(
          `  ${c.label.padEnd(44)} ${c.keys.padStart(7)}  ${(s.requests / s.seconds).toFixed(0).padStart(6)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms${s.bad ? `  (${s.bad} non-2xx/errors!)` : ""}`,
        );
      }
    }
    rows.push(...cases.map((c, i) => summarise(c, slices[i]!)));

    for (const c of children.splice(0)) await c.stop();
  } finally {
    for (const c of children) await c.stop();
    for (const c of clones) await c.drop();
    rmSync(path.join(here, ".build"), { recursive: true, force: true });
    await small.drop();
    await large.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  report(rows, loadBefore, (performance.now() - t0) / 1000);
}

class Missing extends Error {}

function report(rows: Row[], loadBefore: string, seconds: number) {
  const find = (label: string, keys: string) => {
    const r = rows.find((x) => x.label.startsWith(label) && x.keys === keys);
    if (!r) throw new Missing(`no result for ${label} (${keys} keys)`);
    return r;
  };
  const out: string[] = [];
  const how = ROUNDS > 1 ? `${ROUNDS} interleaved rounds of ${DURATION / ROUNDS} s` : `${DURATION} s in one go`;
  out.push("");
  out.push(
    `Feed reads — ${CONNECTIONS} connections, ${DURATION} s per case (${how}) after ${WARMUP} s warm-up, loopback, ${testProvider}; ${os.cpus().length} CPUs shared with the load generator; load average ${loadBefore} before, ${loadavg()} after; ${seconds.toFixed(0)} s in all`,
  );
  out.push(
    `req/s: all requests over all slices; p50, p99: ${ROUNDS > 1 ? "median over the slices" : "autocannon's"}; server CPU: the server process's user+system time per request.`,
  );
  out.push("");
  out.push(
    `| ${"case".padEnd(44)} | ${"keys".padStart(7)} | ${"req/s".padStart(7)} | ${"p50 ms".padStart(6)} | ${"p99 ms".padStart(6)} | ${"requests".padStart(8)} | non-2xx | server CPU µs/req | loop delay p99 / max ms |`,
  );
  out.push(
    `| ${"-".repeat(44)} | ${"-".repeat(7)}:| ${"-".repeat(7)}:| ${"-".repeat(6)}:| ${"-".repeat(6)}:| ${"-".repeat(8)}:| -------:| -----------------:| -----------------------:|`,
  );
  for (const r of rows) {
    out.push(
      `| ${r.label.padEnd(44)} | ${r.keys.padStart(7)} | ${r.rps.toFixed(0).padStart(7)} | ${String(r.p50).padStart(6)} | ${String(r.p99).padStart(6)} | ${String(r.requests).padStart(8)} | ${String(r.bad).padStart(7)} | ${r.cpuUs.toFixed(0).padStart(17)} | ${`${r.loopP99} / ${r.loopMax}`.padStart(23)} |`,
    );
  }

  type Check = { what: string; value: number; target: string; pass: boolean };
  const checks: Check[] = [];
  // With BENCH_CASES, a ratio whose cases did not run is left out.
  const ratio = (value: () => number) => {
    try {
      return value();
    } catch (e) {
      if (e instanceof Missing) return null;
      throw e;
    }
  };
  const atLeast = (what: string, value: () => number, min: number) => {
    const v = ratio(value);
    if (v !== null) checks.push({ what, value: v, target: `≥ ${min}`, pass: v >= min });
  };
  const atMost = (what: string, value: () => number, max: number) => {
    const v = ratio(value);
    if (v !== null) checks.push({ what, value: v, target: `≤ ${max}`, pass: v <= max });
  };
  const bare = () => find("bare", "-");
  for (const keys of ["100", "100000"]) {
    const n = keys === "100" ? "100 keys" : "100k keys";
    atLeast(`npm keyed / anonymous (${n})`, () => find("npm packument, keyed", keys).rps / find("npm packument, anonymous", keys).rps, 0.85);
    atLeast(`NuGet keyed / anonymous (${n})`, () => find("NuGet service index, keyed", keys).rps / find("NuGet service index, anonymous", keys).rps, 0.85);
    atLeast(`npm keyed / bare route (${n})`, () => find("npm packument, keyed", keys).rps / bare().rps, 0.5);
    atMost(`npm keyed p99 / bare p99 (${n})`, () => find("npm packument, keyed", keys).p99 / bare().p99, 2);
  }
  // "The same speed": within 10%, allowing for the noise of a shared machine.
  atLeast("npm keyed, 100k keys / 100 keys (≈ 1)", () => find("npm packument, keyed", "100000").rps / find("npm packument, keyed", "100").rps, 0.9);
  atLeast(
    "NuGet keyed, 100k keys / 100 keys (≈ 1)",
    () => find("NuGet service index, keyed", "100000").rps / find("NuGet service index, keyed", "100").rps,
    0.9,
  );
  // docs/authorization.md, "Allowed networks": the check costs at most 3 %.
  atLeast("50 allowed networks / none", () => find("keyed packument, 50 allowed networks", "100000").rps / find("npm packument, keyed", "100000").rps, 0.97);
  const off = () => find("keyed packument, access log off", "100000").rps;
  atLeast("access log metadata / off", () => find("keyed packument, log metadata", "100000").rps / off(), 0.9);
  atLeast("access log bodies / off", () => find("keyed packument, log request+response bodies", "100000").rps / off(), 0.75);

  out.push("");
  out.push(`| ${"quality bar (docs/quality-bars.md)".padEnd(40)} | value | target | result |`);
  out.push(`| ${"-".repeat(40)} | ----:| ------ | ------ |`);
  for (const c of checks) out.push(`| ${c.what.padEnd(40)} | ${c.value.toFixed(2)} | ${c.target.padEnd(6)} | ${c.pass ? "PASS" : "FAIL"}   |`);
  out.push("");
  out.push(`${checks.filter((c) => c.pass).length} of ${checks.length} ratios pass.`);
  // Throughput ratios swing with whatever else the machine runs; the server's CPU time per
  // request much less so. Shown beside them (not checked): what logging costs the server
  // itself, as the throughput it would allow on a machine of its own (off µs / logging µs).
  const cpuOff = ratio(() => find("keyed packument, access log off", "100000").cpuUs);
  if (cpuOff !== null) {
    for (const [what, label] of [
      ["metadata", "keyed packument, log metadata"],
      ["bodies", "keyed packument, log request+response bodies"],
    ] as const) {
      const v = ratio(() => cpuOff / find(label, "100000").cpuUs);
      if (v !== null) out.push(`access log ${what} / off by server CPU per request: ${v.toFixed(2)}`);
    }
  }
  console.log(out.join("\n"));
  if (checks.some((c) => !c.pass)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
