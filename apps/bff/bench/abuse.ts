// `npm run bench:abuse` — what a refused request costs the server (docs/threat-model.md).
// For each upload route (NuGet PUT api/v2/package, npm PUT /{name}, RubyGems POST
// api/v1/gems), with a WRONG key (well-formed, unknown): a gzip bomb (200 MB of "A"
// compressed to ~200 KB, Content-Encoding: gzip) and a 250 MB body streamed from one
// reused buffer (the client keeps sending until the server closes the connection, as an
// attacker would). Per case: the server's peak memory growth (VmHWM after resetting it
// through /proc/PID/clear_refs, and VmRSS sampled every 10 ms, over VmRSS at the start)
// and its CPU time (utime+stime from /proc/PID/stat, until the server is idle again).
// Every case runs in a fresh server process. Then 200 parallel wrong sign-ins for `admin`: how many password verifications (argon2)
// they cost, read from the server over IPC.
//
// Targets: a refused upload costs < 16 MiB and < 50 ms of CPU; the sign-ins run at most
// the throttle's lockAfter verifications. Prints PASS/MISS per row; BENCH_STRICT=1 exits 1
// on a miss. Only loopback; every loop is bounded. Linux only (/proc).
import { fork, execSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { generateKeyValue } from "@keyhouse/shared";
import { THROTTLE } from "../src/auth/throttle.ts";
import { createFeed, createUser } from "../src/db/factories.ts";
import { createTestDatabase, testProvider } from "../src/test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../src/test/server.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const TARGET_MEMORY_MIB = 16;
const TARGET_CPU_MS = 50;
const BOMB_BYTES = 200 * MiB;
const BIG_BODY_BYTES = 250 * MiB;
const SIGN_INS = 200;
const CASE_TIMEOUT_MS = 120_000;
const STRICT = process.env.BENCH_STRICT === "1";
const CLK_TCK = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------
// The server process, seen through /proc.

function procStatus(pid: number): { rssKiB: number; hwmKiB: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
  return { rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command: state is field 3, utime 14 and stime 15 (proc(5)).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resets the peak RSS (VmHWM) to the current RSS; false where the kernel does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

type Measured = { memoryMiB: number; cpuMs: number };

/**
 * Runs `work` and measures the server's peak memory growth and CPU time over it, including
 * the writes it owes for the work (access-log entries), which the server is asked to settle.
 */
async function measure(child: ChildProcess, work: () => Promise<void>): Promise<Measured> {
  const pid = child.pid!;
  const peakReset = resetPeak(pid);
  const start = procStatus(pid);
  const cpu0 = cpuMs(pid);
  let sampledMax = start.rssKiB;
  const sampler = setInterval(() => {
    sampledMax = Math.max(sampledMax, procStatus(pid).rssKiB);
  }, 10);
  try {
    await work();
    await ask(child, "settle", "settled");
    // Until the server is idle: work it still does for the request after answering counts.
    let last = cpuMs(pid);
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = cpuMs(pid);
      if (now === last) break;
      last = now;
    }
  } finally {
    clearInterval(sampler);
  }
  const end = procStatus(pid);
  const peak = Math.max(sampledMax, end.rssKiB, peakReset ? end.hwmKiB : 0);
  return { memoryMiB: (peak - start.rssKiB) / 1024, cpuMs: cpuMs(pid) - cpu0 };
}

// ---------------------------------------------------------------------------------------
// The hostile clients.

/** 200 MB of "A", gzip-compressed by streaming (never 200 MB in memory). */
async function gzipBomb(): Promise<Buffer> {
  const chunk = Buffer.alloc(MiB, "A");
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise<void>((r) => gz.on("end", () => r()));
  for (let sent = 0; sent < BOMB_BYTES; sent += chunk.length) {
    if (!gz.write(chunk)) await new Promise((r) => gz.once("drain", r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

type Answer = { status: number | "none"; sentMiB: number; ms: number };

/**
 * Sends one upload: `body` as is, or `streamBytes` of "A" written from one reused buffer
 * until the server closes the connection. The answer is read but does not stop the
 * writing: an attacker does not stop at a 401.
 */
function upload(port: number, route: Route, key: string, body: { bytes: Buffer; encoding?: string } | { streamBytes: number }): Promise<Answer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let status: number | "none" = "none";
    let sent = 0;
    let finished = false;
    const headers: Record<string, string> = { ...route.headers(key), "content-type": route.contentType };
    if ("bytes" in body) {
      headers["content-length"] = String(body.bytes.length);
      if (body.encoding) headers["content-encoding"] = body.encoding;
    } else headers["content-length"] = String(body.streamBytes);
    const req = http.request({ host: "127.0.0.1", port, method: route.method, path: route.path, headers, agent: false });
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ status, sentMiB: sent / MiB, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish();
    }, CASE_TIMEOUT_MS);
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on("end", () => {
        if (sent >= ("bytes" in body ? body.bytes.length : body.streamBytes)) finish();
      });
    });
    req.on("error", finish);
    req.on("close", finish);
    if ("bytes" in body) {
      sent = body.bytes.length;
      req.end(body.bytes);
      return;
    }
    const chunk = Buffer.alloc(256 * 1024, "A");
    const pump = () => {
      while (sent < body.streamBytes && !req.destroyed) {
        const n = Math.min(chunk.length, body.streamBytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (sent >= body.streamBytes) req.end();
    };
    pump();
  });
}

type Route = { name: string; method: string; path: string; contentType: string; headers: (key: string) => Record<string, string> };

const ROUTES: Route[] = [
  {
    name: "NuGet PUT api/v2/package",
    method: "PUT",
    path: "/nuget/nu/api/v2/package",
    contentType: "multipart/form-data; boundary=abuse",
    headers: (k) => ({ "x-nuget-apikey": k }),
  },
  { name: "npm PUT /{name}", method: "PUT", path: "/npm/js/abuse-pkg", contentType: "application/json", headers: (k) => ({ authorization: `Bearer ${k}` }) },
  {
    name: "RubyGems POST api/v1/gems",
    method: "POST",
    path: "/rubygems/rb/api/v1/gems",
    contentType: "application/octet-stream",
    headers: (k) => ({ authorization: k }),
  },
];

// ---------------------------------------------------------------------------------------

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(here, "abuse-server.ts"), [], {
    cwd: path.resolve(here, ".."),
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening`)));
    child.on("message", (m: { port?: number }) => m.port && resolve({ child, port: m.port }));
  });
}

function ask<T>(child: ChildProcess, message: string, field: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (field in m) {
        child.off("message", on);
        resolve(m[field] as T);
      }
    };
    child.on("message", on);
    child.send(message);
  });
}

/** pass: null for a reference row, which has no target. */
type Row = { what: string; memory: string; cpu: string; detail: string; pass: boolean | null };

async function main() {
  const t = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-abuse-"));
  await createUser(t.db, { username: "admin", password: TEST_PASSWORD, role: "admin" });
  await createFeed(t.db, { name: "nu", type: "nuget" });
  await createFeed(t.db, { name: "js", type: "npm" });
  await createFeed(t.db, { name: "rb", type: "rubygems" });
  await t.db.$disconnect();

  log(`bench:abuse on ${testProvider}; compressing the gzip bomb…`);
  const bomb = await gzipBomb();
  log(`gzip bomb: ${(BOMB_BYTES / MiB).toFixed(0)} MiB of "A" in ${(bomb.length / 1024).toFixed(0)} KiB`);

  const env = { ABUSE_DATABASE_URL: t.url, ABUSE_SECRET: TEST_SECRET, ABUSE_DATA_DIR: dataDir };
  const wrongKey = generateKeyValue();
  const rows: Row[] = [];
  /** Each case gets a fresh server process, so that no case inherits another's heap. */
  const withServer = async (run: (child: ChildProcess, port: number) => Promise<void>) => {
    const { child, port } = await startServer(env);
    try {
      // Warm-up: one small refused upload per route, so that first-use work (module loading,
      // JIT, database connections) is not charged to the case.
      for (const route of ROUTES) await upload(port, route, wrongKey, { bytes: Buffer.from("{}") });
      // …including the access-log writer's first batch, which starts its worker thread.
      await ask(child, "settle", "settled");
      await run(child, port);
    } finally {
      await ask(child, "stop", "stopped").catch(() => {});
    }
  };
  try {
    // References, not judged: the server idle over the same settling time, and the smallest
    // refused upload. What the rows below cost above these is what their bodies cost.
    await withServer(async (child) => {
      const m = await measure(child, async () => {});
      rows.push({
        what: "reference: idle server, no request",
        memory: `${m.memoryMiB.toFixed(1)} MiB`,
        cpu: `${m.cpuMs.toFixed(0)} ms`,
        detail: "",
        pass: null,
      });
    });
    await withServer(async (child, port) => {
      let answer!: Answer;
      const m = await measure(child, async () => {
        answer = await upload(port, ROUTES[0]!, wrongKey, { bytes: Buffer.from("{}") });
      });
      rows.push({
        what: `reference: ${ROUTES[0]!.name}, 2-byte body, wrong key`,
        memory: `${m.memoryMiB.toFixed(1)} MiB`,
        cpu: `${m.cpuMs.toFixed(0)} ms`,
        detail: `answer ${answer.status}`,
        pass: null,
      });
    });
    for (const route of ROUTES) {
      for (const kind of ["gzip bomb", "250 MB body"] as const) {
        await withServer(async (child, port) => {
          let answer!: Answer;
          const m = await measure(child, async () => {
            answer = await upload(port, route, wrongKey, kind === "gzip bomb" ? { bytes: bomb, encoding: "gzip" } : { streamBytes: BIG_BODY_BYTES });
          });
          rows.push({
            what: `${route.name}, ${kind}, wrong key`,
            memory: `${m.memoryMiB.toFixed(1)} MiB`,
            cpu: `${m.cpuMs.toFixed(0)} ms`,
            detail: `answer ${answer.status}, client sent ${answer.sentMiB.toFixed(1)} MiB in ${answer.ms.toFixed(0)} ms`,
            pass: m.memoryMiB < TARGET_MEMORY_MIB && m.cpuMs < TARGET_CPU_MS,
          });
          log(`${rows.at(-1)!.what}: ${rows.at(-1)!.memory}, ${rows.at(-1)!.cpu} (${rows.at(-1)!.detail})`);
        });
      }
    }

    await withServer(async (child, port) => {
      const before = await ask<number>(child, "stats", "passwordVerifications");
      const statuses = new Map<number, number>();
      const m = await measure(child, async () => {
        const results = await Promise.all(
          Array.from({ length: SIGN_INS }, (_, i) =>
            fetch(`http://127.0.0.1:${port}/trpc/auth.login`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-csrf-token": "bench" },
              body: JSON.stringify({ username: "admin", password: `wrong guess ${i}` }),
            }).then(async (r) => (await r.arrayBuffer(), r.status)),
          ),
        );
        for (const s of results) statuses.set(s, (statuses.get(s) ?? 0) + 1);
      });
      const verifications = (await ask<number>(child, "stats", "passwordVerifications")) - before;
      rows.push({
        what: `${SIGN_INS} parallel wrong sign-ins for admin`,
        memory: `${m.memoryMiB.toFixed(1)} MiB`,
        cpu: `${m.cpuMs.toFixed(0)} ms`,
        detail: `${verifications} password verifications (target ≤ ${THROTTLE.lockAfter}); answers ${[...statuses].map(([s, n]) => `${s}×${n}`).join(" ")}`,
        pass: verifications <= THROTTLE.lockAfter,
      });
    });
  } finally {
    await t.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const w = Math.max(...rows.map((r) => r.what.length));
  console.log(`\nbench:abuse (${testProvider}) — targets: a refused upload < ${TARGET_MEMORY_MIB} MiB of server memory and < ${TARGET_CPU_MS} ms of CPU\n`);
  console.log(`${"case".padEnd(w)}  ${"memory".padStart(10)}  ${"CPU".padStart(8)}  result  detail`);
  for (const r of rows)
    console.log(`${r.what.padEnd(w)}  ${r.memory.padStart(10)}  ${r.cpu.padStart(8)}  ${r.pass === null ? "    " : r.pass ? "PASS" : "MISS"}    ${r.detail}`);
  const misses = rows.filter((r) => r.pass === false).length;
  console.log(`\n${rows.filter((r) => r.pass).length} PASS, ${misses} MISS${misses && !STRICT ? " (BENCH_STRICT=1 makes a miss fail)" : ""}`);
  if (misses && STRICT) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
