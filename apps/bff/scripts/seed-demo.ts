// `npm run db:seed` — the demo data `npm start` seeds (users admin, alice and bob, the
// three feeds, their packages and legacy keys) into the database DATABASE_URL names, the
// same way the server does. Idempotent: a database that already has users is left alone.
import { createDb, prepareDb } from "../src/db/client.ts";
import { DEMO_USERS, isEmpty, seedDemo } from "../src/db/seed.ts";
import { loadScriptConfig } from "./script-config.ts";

async function main(): Promise<number> {
  const config = loadScriptConfig();
  if (!config) return 1;
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
