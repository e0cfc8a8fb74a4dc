// "A killed server loses no acknowledged write" (docs/quality-bars.md), for the access log: the
// built server under keep-alive load gets SIGTERM; every request it answered must have
// its entry in the database once it has exited, and it must exit within a few seconds.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../config.ts";
import { createDb, type Db } from "../db/client.ts";
import { createApiKey } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";

const root = repoRoot();
let dir: string;
let databaseUrl: string;
let pgDb: TestDatabase | undefined;
let child: ChildProcess | undefined;
let output = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, ["build.mjs"], { cwd: path.join(root, "apps/bff"), encoding: "utf8" });
  expect(build.status, build.stderr).toBe(0);
  dir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-sigterm-"));
  if (testProvider === "postgres") {
    pgDb = await createTestDatabase();
    databaseUrl = pgDb.url;
  } else {
    databaseUrl = `file:${path.join(dir, "keyhouse.db")}`;
    const migrate = spawnSync(process.execPath, ["scripts/db.mjs", "migrate"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    expect(migrate.status, migrate.stderr + migrate.stdout).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await pgDb?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("SIGTERM under load", () => {
  it("writes an access-log entry for every request it answered before exiting", async () => {
    const port = await freePort();
    const dataDir = path.join(dir, "data");
    child = spawn(process.execPath, [path.join(root, "apps/bff/dist/main.mjs")], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        KEYHOUSE_SEED: "demo",
        KEYHOUSE_DATA_DIR: dataDir,
        KEYHOUSE_SECRET: "",
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    let exitedAt = 0;
    const exited = new Promise<number | null>((resolve) =>
      child!.once("exit", (code) => {
        exitedAt = Date.now();
        resolve(code);
      }),
    );
    const deadline = Date.now() + 30_000;
    while (!output.includes("Keyhouse is running at")) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const db: Db = createDb(databaseUrl);
    try {
      const secret = readFileSync(path.join(dataDir, "secret"), "utf8").trim();
      const { key, value } = await createApiKey(db, secret, { kind: "system", ownerId: null, apis: ["feeds"], name: "load" });

      // Many keyed requests at once; SIGTERM once a good number have been answered.
      const url = `http://127.0.0.1:${port}/npm/npm/fabrikam-utils`;
      let acknowledged = 0;
      let failed = 0;
      let signalled = false;
      let signalledAt = 0;
      const CONCURRENCY = 40;
      const TOTAL = 4000;
      let started = 0;
      const worker = async () => {
        while (started < TOTAL) {
          started++;
          try {
            const res = await fetch(url, { headers: { Authorization: `Bearer ${value}` } });
            await res.arrayBuffer();
            if (res.status !== 404 && res.status !== 200) throw new Error(`unexpected status ${res.status}`);
            acknowledged++;
          } catch (e) {
            if ((e as Error).message.startsWith("unexpected status")) throw e;
            failed++;
            if (!signalled) throw e;
            if (failed > 200) return;
          }
          if (acknowledged === 600 && !signalled) {
            signalled = true;
            signalledAt = Date.now();
            child!.kill("SIGTERM");
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      expect(signalled).toBe(true);
      expect(await exited).toBe(0);
      expect(output).toContain("Keyhouse stopped.");
      // The clients keep their connections alive and keep sending: shutdown must close
      // those connections rather than serve them until the 10 s cut-off (which says so).
      expect(output).not.toContain("Shutdown: cutting off");
      expect(exitedAt - signalledAt).toBeLessThan(9_000);
      expect(acknowledged).toBeGreaterThanOrEqual(600);
      const logged = await db.accessLogEntry.count({ where: { keyId: key.id } });
      expect(logged).toBeGreaterThanOrEqual(acknowledged);
      expect(output).not.toMatch(/entries dropped|could not write/);
    } finally {
      await db.$disconnect();
    }
  }, 120_000);
});
