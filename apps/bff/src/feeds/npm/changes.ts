// Checks on npm's writes before they reach the database: the deprecation message and the
// revision a client read (the writes themselves are in feeds/domain/npm.ts).
import { badRequest, conflict } from "../../errors.ts";
import type { NpmPackage } from "../domain/npm.ts";
import { revisionOf } from "./packument.ts";

const DEPRECATION_MAX = 4096;

export function checkDeprecation(message: string): string {
  if (message.length > DEPRECATION_MAX) throw badRequest(`The deprecation message is longer than ${DEPRECATION_MAX} characters.`);
  // PostgreSQL text cannot hold NUL; no message needs one.
  if (message.includes("\u0000")) throw badRequest("The deprecation message must not contain NUL characters.");
  return message;
}

/** 409 when a client writes over a packument it read before someone else changed it. */
export function assertRevision(pkg: NpmPackage, given: string | undefined): void {
  if (given === undefined) return;
  const current = revisionOf(pkg);
  if (given !== current) {
    throw conflict(`Package "${pkg.name}" has changed since it was read (revision ${given.slice(0, 80)}, now ${current}). Fetch it again and retry.`);
  }
}
