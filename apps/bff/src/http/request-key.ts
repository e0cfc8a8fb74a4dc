// What the access log needs to know about the key a request presented, kept on
// res.locals by whichever gate checked it. Never the key's value.
import { usageFactOf, type AccessRequest, type UsageFact } from "@keyhouse/shared";
import type { Request, Response } from "express";
import type { KeyLookup } from "../keys/verify.ts";
import { findPresentedKey, type PresentedKey, type Surface } from "./present-key.ts";

export type KeyLogStatus = "valid" | "revoked" | "expired" | "unknown" | "malformed" | "ambiguous";

export type RequestKeyInfo = {
  keyId: number | null;
  keyName: string | null;
  keyHint: string | null;
  ownerId: number | null;
  status: KeyLogStatus;
  logRequestBody: boolean;
  logResponseBody: boolean;
};

export type RequestUserInfo = { id: number; username: string };

const NO_KEY = { keyId: null, keyName: null, keyHint: null, ownerId: null, logRequestBody: false, logResponseBody: false };

/**
 * Where the access-log capture (logs/capture.ts) leaves the function that starts keeping
 * the response body: called once a key that asks for body logging is known, so that the
 * requests of every other key never pay for it.
 */
export const CAPTURE_RESPONSE_BODY = "keyhouseCaptureResponseBody";

export function describeRequestKey(res: Response, found: KeyLookup, now = new Date()): void {
  let info: RequestKeyInfo;
  if (found.status === "found") {
    const row = found.key.row;
    const status: KeyLogStatus = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt <= now ? "expired" : "valid";
    info = {
      keyId: row.id,
      keyName: row.name,
      keyHint: row.hint,
      ownerId: row.ownerId,
      status,
      logRequestBody: row.logRequestBody,
      logResponseBody: row.logResponseBody,
    };
  } else {
    info = { ...NO_KEY, status: found.status };
  }
  res.locals.keyhouseKey = info;
  if (info.logResponseBody) (res.locals[CAPTURE_RESPONSE_BODY] as (() => void) | undefined)?.();
}

/** The acting user, for the access log. */
export function describeRequestUser(res: Response, user: RequestUserInfo | null): void {
  if (user) res.locals.keyhouseUser = user;
}

/**
 * An allowed decision, for the keys' usage summary (logs/usage-summary.ts, docs/advisor.md):
 * what the request exercised — surface, feed, action, package — as the gate decided it.
 */
export function describeRequestUsage(res: Response, request: AccessRequest): void {
  const fact = usageFactOf(request);
  if (fact) ((res.locals.keyhouseUsage ??= []) as UsageFact[]).push(fact);
}

/** The gates' findPresentedKey: also records a request that presented two different keys on res.locals, so the access log shows it. */
export function takePresentedKey(req: Request, res: Response, surface: Surface): PresentedKey | null {
  try {
    return findPresentedKey(req, surface);
  } catch (e) {
    res.locals.keyhouseKey = { ...NO_KEY, status: "ambiguous" } satisfies RequestKeyInfo;
    throw e;
  }
}
