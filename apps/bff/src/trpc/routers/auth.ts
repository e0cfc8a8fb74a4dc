import { loginInputSchema } from "@keyhouse/shared";
import { z } from "zod";
import { csrfTokenFor, destroySession, SESSION_COOKIE, toSessionUser } from "../../auth/sessions.ts";
import { openSession, signIn } from "../../users/sign-in.ts";
import { publicProcedure, protectedProcedure, router } from "../init.ts";
import { sessionCookieOptions } from "../../http/cookies.ts";

const sessionUser = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  email: z.string(),
  role: z.enum(["admin", "user"]),
});

const sessionOutput = z.object({ user: sessionUser, csrfToken: z.string() });

export const authRouter = router({
  /** The signed-in user and the CSRF token the SPA sends on every mutation; null when signed out. */
  me: publicProcedure
    .input(z.void())
    .output(sessionOutput.nullable())
    .query(({ ctx }) => (ctx.session ? { user: ctx.session.user, csrfToken: ctx.session.csrfToken } : null)),

  login: publicProcedure
    .input(loginInputSchema)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await signIn(ctx.db, input, ctx.ip);
      const session = await openSession(ctx.db, user, { ip: ctx.ip, userAgent: ctx.userAgent });
      ctx.res?.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(ctx.req, ctx.config.publicUrl, session.expiresAt));
      return { user: toSessionUser(user), csrfToken: csrfTokenFor(session.sessionId, ctx.config.secret) };
    }),
  logout: protectedProcedure
    .input(z.void())
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      await destroySession(ctx.db, ctx.session.id);
      ctx.res?.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx.req, ctx.config.publicUrl));
      return { ok: true as const };
    }),
});
