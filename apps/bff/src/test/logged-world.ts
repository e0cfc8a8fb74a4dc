// A test file's shared set-up for the access log over real HTTP: a fresh database, the
// log world's users, feeds and keys (logs/testing.ts), and a server that logs. Created once
// per file and torn down after it.
import { afterAll, beforeAll } from "vitest";
import { createLogWorld, startLoggedServer } from "../logs/testing.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export type LoggedServer = Awaited<ReturnType<typeof startLoggedServer>>;
export type LogWorld = Awaited<ReturnType<typeof createLogWorld>>;
export type LoggedWorld = { t: TestDatabase; server: LoggedServer; world: LogWorld };

/** Registers the file's beforeAll/afterAll; `ready` receives the parts once they are up. */
export function useLoggedWorld(ready: (parts: LoggedWorld) => void): void {
  let t: TestDatabase | undefined;
  let server: LoggedServer | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    const world = await createLogWorld(t.db);
    server = await startLoggedServer(t.db);
    ready({ t, server, world });
  });
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });
}
