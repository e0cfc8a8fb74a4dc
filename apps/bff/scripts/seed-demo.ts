// `npm run db:seed` — the demo data `npm start` seeds (users admin, alice and bob, the
// three feeds, their packages and legacy keys) into the database DATABASE_URL names, the
// same way the server does. Idempotent: a database that already has users is left alone.
import { ConfigError, loadConfig } from "../src/config.ts";
import { createDb, prepareDb } from "../src/db/client.ts";
import { DEMO_USERS, isEmpty, seedDemo } from "../src/db/seed.ts";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  const db = createDb(config.databaseUrl);
  try {
    await prepareDb(db, config.databaseUrl);
    if (!(await isEmpty(db))) {
      console.log("The database already has data; nothing was seeded.");
      return 0;
    }
    await seedDemo(db, { password: config.demoPassword, secret: config.secret });
    console.log(`Seeded demo data. Sign-ins: ${DEMO_USERS.join(", ")} — password ${JSON.stringify(config.demoPassword)}.`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

process.exitCode = await main();
