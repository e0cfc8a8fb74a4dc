// The server side of bench/feeds.ts, run in a child process so that the load generator and
// the server never share an event loop. Two modes:
//   BENCH_MODE=app   Keyhouse itself (createServices + createApp) over BENCH_DATABASE_URL
//   BENCH_MODE=bare  a bare Express 5 route answering BENCH_BARE_FILE's bytes from memory
// It reports its port over IPC ({ port }), answers "settle" once it has written what it
// owes for the requests so far, "stats" with its CPU time and event-loop delay since the
// last "reset", and stops on "stop" (flushing what it holds, so that
// `node --cpu-prof` gets to write its profile).
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import express from "express";
import { createDb, prepareDb } from "../src/db/client.ts";
import { createApp } from "../src/http/app.ts";
import { createServices, type Services } from "../src/services.ts";
import { testConfig } from "../src/test/server.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`bench/server.ts needs ${name}`);
  return v;
};

// BENCH_COUNT_QUERIES=1: counts the SQL statements prepared on better-sqlite3 connections
// (Prisma's adapter prepares one per query) and prints them on stop.
const prepared = new Map<string, number>();
if (process.env.BENCH_COUNT_QUERIES === "1") {
  const { default: Database } = await import("better-sqlite3");
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: InstanceType<typeof Database>, sql: string) {
    const k = sql.replace(/\s+/g, " ").slice(0, 100);
    prepared.set(k, (prepared.get(k) ?? 0) + 1);
    return prepare.call(this, sql);
  } as typeof prepare;
}

async function main() {
  const mode = env("BENCH_MODE");
  let handler: http.RequestListener;
  let stop: () => Promise<void> = async () => {};
  let settle: () => Promise<void> = async () => {};

  if (mode === "bare") {
    const body = readFileSync(env("BENCH_BARE_FILE"));
    const type = env("BENCH_BARE_TYPE");
    const app = express();
    app.get(env("BENCH_BARE_PATH"), (_req, res) => {
      res.setHeader("Content-Type", type);
      res.end(body);
    });
    handler = app;
  } else {
    const url = env("BENCH_DATABASE_URL");
    const db = createDb(url);
    await prepareDb(db, url);
    const config = testConfig({
      databaseUrl: url,
      provider: /^postgres/i.test(url) ? "postgres" : "sqlite",
      secret: env("BENCH_SECRET"),
      dataDir: env("BENCH_DATA_DIR"),
    });
    const lines: string[] = [];
    const services: Services = createServices(db, config, (l) => lines.length < 100 && lines.push(l), {
      accessLogDisabled: process.env.BENCH_ACCESS_LOG === "off",
    });
    handler = createApp({ db, config, services, log: services.log });
    // Writes still owed for the requests served so far: access-log entries, last-used times.
    settle = async () => {
      await services.keys.flush();
      await services.accessLog.drain();
    };
    stop = async () => {
      await services.keys.flush();
      await services.accessLog.close();
      await db.$disconnect();
      if (lines.length) process.stderr.write(`server log:\n${lines.join("\n")}\n`);
      process.stderr.write(`access log: ${JSON.stringify(services.accessLog.stats())}\n`);
      if (prepared.size)
        process.stderr.write(
          `statements prepared (${process.env.BENCH_NAME ?? ""}):\n${[...prepared]
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `${String(n).padStart(7)}  ${k}`)
            .join("\n")}\n`,
        );
    };
  }

  const server = http.createServer(handler);
  // As main.ts sets them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  // What the benchmark reads after each case: event-loop delay and CPU time since "reset".
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  process.send!({ port: (server.address() as AddressInfo).port });
  process.on("message", (m) => {
    if (m === "reset") {
      cpu = process.cpuUsage();
      return delay.reset();
    }
    if (m === "settle") {
      const t0 = performance.now();
      return void settle().then(() => process.send!({ settled: performance.now() - t0 }));
    }
    if (m === "stats") {
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      const used = process.cpuUsage(cpu);
      return process.send!({ stats: { cpuMs: (used.user + used.system) / 1000, loopP99: ms(delay.percentile(99)), loopMax: ms(delay.max) } });
    }
    if (m !== "stop") return;
    server.closeAllConnections();
    server.close(async () => {
      await stop();
      process.send!({ stopped: true }, () => process.exit(0));
    });
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
