import { router } from "./init.ts";
import { authRouter } from "./routers/auth.ts";
import { keysRouter } from "./routers/keys.ts";
import { adminKeysRouter } from "./routers/admin-keys.ts";
import { outboxRouter } from "./routers/outbox.ts";
import { logsRouter } from "./routers/logs.ts";

export const appRouter = router({
  auth: authRouter,
  keys: keysRouter,
  adminKeys: adminKeysRouter,
  outbox: outboxRouter,
  logs: logsRouter,
});

export type AppRouter = typeof appRouter;
