// Tests of rotation with overlap: a real server over a test database whose key verifier
// reads a clock the test moves, so a replaced value's end passes without waiting.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createApiKey, createFeed, createUser, grantFeed } from "../db/factories.ts";
import { createApp } from "../http/app.ts";
import { createServices } from "../services.ts";
import { createTestDatabase } from "../test/database.ts";
import { callerFor, closeGracefully, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";

export const HOUR = 3_600_000;

export async function startClockedWorld() {
  const t = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-rotation-"));
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  const config = testConfig({ dataDir });
  const services = createServices(t.db, config, () => {}, { clock });
  const app = createApp({ db: t.db, config, log: () => {}, services });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  const npm = await createFeed(t.db, { name: "npm", type: "npm" });
  const nuget = await createFeed(t.db, { name: "main", type: "nuget" });
  for (const feed of [npm, nuget]) await grantFeed(t.db, alice.id, feed.id, { view: true, add: true, unlist: true });
  const trpc = callerFor(t.db, alice, { services, config });

  return {
    db: t.db,
    url,
    registry: `${url}/npm/npm/`,
    services,
    alice,
    trpc,
    /** A scoped key of alice's on every feed, made through the account procedures. */
    newKey: (name: string) => trpc.keys.create({ name, scopes: ["push", "update", "unlist"], glob: "*" }),
    /** Moves the server's clock to `at`. */
    setClock: (at: Date) => {
      offsetMs = at.getTime() - Date.now();
    },
    whoami: (key: string) => fetch(`${url}/npm/npm/-/whoami`, { headers: { authorization: `Bearer ${key}` } }),
    nugetIndex: (key: string) => fetch(`${url}/nuget/main/v3/index.json`, { headers: { "X-NuGet-ApiKey": key } }),
    systemKey: () => createApiKey(t.db, TEST_SECRET, { kind: "system", ownerId: null }),
    close: async () => {
      await closeGracefully(server, services);
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type ClockedWorld = Awaited<ReturnType<typeof startClockedWorld>>;
