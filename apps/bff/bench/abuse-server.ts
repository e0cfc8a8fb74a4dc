// The server side of bench/abuse.ts, in its own process so that its memory and CPU time
// (read by the parent from /proc) are the server's alone. Keyhouse (createServices +
// createApp) over ABUSE_DATABASE_URL; reports its port over IPC, answers "stats" with the
// password verifications run so far, "settle" once it has written what it owes for the
// requests so far, and stops on "stop".
import http from "node:http";
import type { AddressInfo } from "node:net";
import { passwordVerificationCount } from "../src/auth/passwords.ts";
import { createDb, prepareDb } from "../src/db/client.ts";
import { createApp } from "../src/http/app.ts";
import { createServices } from "../src/services.ts";
import { testConfig } from "../src/test/server.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`bench/abuse-server.ts needs ${name}`);
  return v;
};

async function main() {
  const url = env("ABUSE_DATABASE_URL");
  const db = createDb(url);
  await prepareDb(db, url);
  const config = testConfig({
    databaseUrl: url,
    provider: /^postgres/i.test(url) ? "postgres" : "sqlite",
    secret: env("ABUSE_SECRET"),
    dataDir: env("ABUSE_DATA_DIR"),
  });
  const lines: string[] = [];
  const services = createServices(db, config, (l) => lines.length < 50 && lines.push(l));
  const server = http.createServer(createApp({ db, config, services, log: services.log }));
  // As main.ts sets them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.send!({ port: (server.address() as AddressInfo).port });
  process.on("message", (m) => {
    if (m === "stats") return process.send!({ passwordVerifications: passwordVerificationCount() });
    // Writes still owed for the requests so far (access-log entries, last-used times).
    if (m === "settle") return void Promise.all([services.keys.flush(), services.accessLog.drain()]).then(() => process.send!({ settled: true }));
    if (m !== "stop") return;
    server.closeAllConnections();
    server.close(async () => {
      await services.keys.flush();
      await services.accessLog.close();
      await db.$disconnect();
      if (lines.length) process.stderr.write(`server log:\n${lines.join("\n").slice(0, 4000)}\n`);
      process.send!({ stopped: true }, () => process.exit(0));
    });
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
