import { TRPCError } from "@trpc/server";
import { AppError } from "../errors.ts";

/**
 * "CODE: message" of a refusal (a tRPC or domain error), or "OK": one string a test can
 * compare, so a wrong code and a wrong message fail alike. Anything else is rethrown —
 * a crash is never an outcome.
 */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError || e instanceof AppError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "OK";
}
