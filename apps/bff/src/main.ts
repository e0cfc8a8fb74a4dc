// Starts Keyhouse: configuration, database, demo seed, HTTP server, graceful shutdown.
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { createDb, prepareDb } from "./db/client.ts";
import { DEMO_USERS, isEmpty, seedDemo } from "./db/seed.ts";
import { createApp } from "./http/app.ts";
import { answerExpectContinue } from "./http/expect-continue.ts";
import { createServices } from "./services.ts";
import { startNotificationWorkers } from "./notifications/workers.ts";
import { startRetentionJob } from "./logs/retention.ts";
import { startAuthHousekeeping } from "./auth/housekeeping.ts";
import { startOrphanSweep } from "./feeds/storage/sweep.ts";
import { startUploadSweep } from "./feeds/upload/sweep.ts";
import { uploadTmpDir } from "./feeds/upload/receive.ts";

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }

  const db = createDb(config.databaseUrl);
  try {
    await prepareDb(db, config.databaseUrl);
    await db.user.count();
  } catch (e) {
    console.error(`Keyhouse cannot use the database at DATABASE_URL (${redactUrl(config.databaseUrl)}): ${(e as Error).message.split("\n")[0]}`);
    console.error("Apply the migrations first: `npm start` does it, or `npm run db:migrate`.");
    process.exit(1);
  }

  let seeded = false;
  if (config.seed === "demo" && (await isEmpty(db))) {
    try {
      await seedDemo(db, { password: config.demoPassword, secret: config.secret });
      seeded = true;
    } catch (e) {
      // Another instance seeding at the same moment wins; anything else is fatal.
      if (await isEmpty(db)) throw e;
    }
  }

  const services = createServices(db, config);
  const workers = startNotificationWorkers(db, config, (line) => console.log(line));
  const retention = startRetentionJob(db, config, (line) => console.log(line));
  const authHousekeeping = startAuthHousekeeping(db, (line) => console.log(line));
  const orphanSweep = startOrphanSweep(db, services.store, (line) => console.log(line));
  const uploadSweep = startUploadSweep(uploadTmpDir(config), (line) => console.log(line));
  const app = createApp({ db, config, services });
  const drain = connectionDrain(app);
  const server = http.createServer(drain.listener);
  answerExpectContinue(server, drain.listener);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 5 * 60_000;

  server.on("error", (e: NodeJS.ErrnoException) => {
    console.error(e.code === "EADDRINUSE" ? `Port ${config.port} is already in use. Set PORT to another port.` : `Server error: ${e.message}`);
    process.exit(1);
  });

  server.listen(config.port, () => {
    const url = config.publicUrl ?? `http://localhost:${config.port}`;
    console.log(`Keyhouse is running at ${url}`);
    if (config.seed === "demo") {
      console.log(
        `${seeded ? "Seeded demo data. " : ""}Demo sign-ins: ${DEMO_USERS.join(", ")} — password ${JSON.stringify(config.demoPassword)} (set DEMO_PASSWORD to change it on a new database).`,
      );
    }
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing in-flight requests, then stopping.`);
    drain.start(server);
    server.close(async () => {
      await workers.stop();
      await retention.stop();
      await authHousekeeping.stop();
      await orphanSweep.stop();
      await services.store.close();
      await uploadSweep.stop();
      await services.keys.flush();
      await services.accessLog.close();
      await db.$disconnect();
      console.log("Keyhouse stopped.");
      process.exit(0);
    });
    // Requests still running after this long are cut off rather than holding shutdown forever.
    setTimeout(() => {
      console.log(`Shutdown: cutting off ${drain.running()} requests still running after 10 s, and their connections.`);
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/**
 * Lets shutdown end keep-alive connections. server.close() stops new connections and
 * closes the ones idle at that moment, but clients keep sending on the ones that were
 * busy, and after an answer a connection is kept for keepAliveTimeout (65 s): under
 * load, shutdown waited for the 10 s cut-off. Once draining, every answer says
 * "Connection: close" (Node then closes the socket after it), and a connection whose
 * answer already promised keep-alive is closed as soon as it goes idle, so shutdown
 * waits for the requests in flight and no longer.
 */
function connectionDrain(app: RequestListener) {
  let server: http.Server | undefined;
  const inFlight = new Set<ServerResponse>();

  const closeAfter = (res: ServerResponse) => {
    if (res.writableFinished) return;
    if (!res.headersSent) res.setHeader("Connection", "close");
    // An answer whose headers already promised keep-alive leaves its socket idle: close it then.
    else res.once("finish", () => setImmediate(() => server?.closeIdleConnections()));
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (server) closeAfter(res);
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    app(req, res);
  };

  const start = (s: http.Server) => {
    server = s;
    for (const res of inFlight) closeAfter(res);
    s.closeIdleConnections();
  };

  return { listener, start, running: () => inFlight.size };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

main().catch((e) => {
  console.error("Keyhouse failed to start:", e);
  process.exit(1);
});
