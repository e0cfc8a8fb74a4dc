// tRPC set-up: the context every procedure receives, the error formatter that turns
// AppError into the right tRPC code, and the procedure builders that narrow the context.
import { initTRPC, TRPCError } from "@trpc/server";
import type { Request, Response } from "express";
import { ZodError } from "zod";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { AppError, ERROR_CODES } from "../errors.ts";
import type { ActiveSession } from "../auth/sessions.ts";
import type { Services } from "../services.ts";

export type Context = {
  db: Db;
  config: Config;
  /** Absent under createCaller unless a test passes them. */
  services?: Services;
  session: ActiveSession | null;
  ip: string;
  userAgent: string | undefined;
  /** Whether a mutation proved it came from our own pages (see http/app.ts). */
  csrfOk: boolean;
  /** Present over HTTP, absent under createCaller in tests. */
  res?: Response;
  req?: Request;
};

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // A person reads these: the first validation message rather than a JSON dump.
      message: zod
        ? (zod.issues[0]?.message ?? "The request is not valid.")
        : error.code === "INTERNAL_SERVER_ERROR"
          ? "Something went wrong on the server. Try again."
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message])) : undefined,
        retryAfterSeconds: error.cause instanceof AppError ? error.cause.extra.retryAfterSeconds : undefined,
      },
    };
  },
});

/** Turns domain and validation errors into tRPC errors with the mapped code and a readable message, once, for every procedure. */
const mapErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    for (const [k, v] of Object.entries(cause.extra.headers ?? {})) ctx.res?.setHeader(k, v);
    throw new TRPCError({ code: ERROR_CODES[cause.code].trpc, message: cause.message, cause });
  }
  if (!result.ok && result.error.cause instanceof ZodError) {
    const zod = result.error.cause;
    throw new TRPCError({ code: "BAD_REQUEST", message: zod.issues[0]?.message ?? "The request is not valid.", cause: zod });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
const csrf = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && !ctx.csrfOk) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This request did not come from the Keyhouse app (its CSRF token is missing or wrong). Reload the page and try again.",
    });
  }
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(csrf);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.session.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
  return next({ ctx });
});
