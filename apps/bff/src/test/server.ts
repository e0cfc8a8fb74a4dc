// Test helpers: a configuration, a tRPC caller and a real HTTP server over a test database.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { createApp } from "../http/app.ts";
import { answerExpectContinue } from "../http/expect-continue.ts";
import { createServices, type Services } from "../services.ts";
import { createCallerFactory, type Context } from "../trpc/init.ts";
import { appRouter } from "../trpc/router.ts";
import { toSessionUser, csrfTokenFor } from "../auth/sessions.ts";

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123";
export const TEST_PASSWORD = "correct horse battery";

export function testConfig(over: Partial<Config> = {}): Config {
  return {
    port: 0,
    databaseUrl: "file:unused",
    provider: "sqlite",
    secret: TEST_SECRET,
    publicUrl: undefined,
    smtpUrl: undefined,
    smtpFrom: "Keyhouse <keyhouse@localhost>",
    logRetentionDays: 90,
    seed: "none",
    demoPassword: TEST_PASSWORD,
    dataDir: "/nonexistent",
    maxUploadBytes: 250 * 1024 * 1024,
    webDist: "/nonexistent",
    trustProxy: false,
    ...over,
  };
}

const createCaller = createCallerFactory(appRouter);

/** A caller acting as `user` (or anonymous), as if through the SPA. */
export function callerFor(
  db: Db,
  user: { id: number; username: string; displayName: string; email: string; role: string } | null,
  over: Partial<Context> = {},
) {
  const sessionId = `test-session-${user?.id ?? "anon"}`;
  return createCaller({
    db,
    config: over.config ?? testConfig(),
    session: user ? { id: sessionId, user: toSessionUser(user), csrfToken: csrfTokenFor(sessionId, TEST_SECRET) } : null,
    ip: "203.0.113.7",
    userAgent: "vitest",
    csrfOk: true,
    ...over,
  });
}

export async function startServer(db: Db, config: Config = testConfig()) {
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  const services = createServices(db, config, log);
  const app = createApp({ db, config, log, services });
  const server = http.createServer(app);
  answerExpectContinue(server, app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    services,
    /** Stops the server and writes what it still holds (last-used times, access-log entries), as a graceful shutdown does. */
    close: () => closeGracefully(server, services),
  };
}

/** Stops `server` and writes what `services` still hold (last-used times, access-log entries), as a graceful shutdown does. */
export async function closeGracefully(server: http.Server, services: Services): Promise<void> {
  await new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  await services.keys.flush();
  await services.accessLog.close();
}
