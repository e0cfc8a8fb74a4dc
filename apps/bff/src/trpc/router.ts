import { router } from "./init.ts";
import { authRouter } from "./routers/auth.ts";
import { keysRouter } from "./routers/keys.ts";
import { outboxRouter } from "./routers/outbox.ts";

export const appRouter = router({
  auth: authRouter,
  keys: keysRouter,
  outbox: outboxRouter,
});

export type AppRouter = typeof appRouter;
