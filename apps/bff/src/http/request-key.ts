// What the access log needs to know about the key a request presented, kept on
// res.locals by whichever gate checked it. Never the key's value.
import type { Response } from "express";
import type { KeyLookup } from "../keys/verify.ts";

export type RequestKeyInfo = { keyId: number | null; keyName: string | null; keyHint: string | null; ownerId: number | null; status: "valid" | "unknown" | "malformed" };

export function describeRequestKey(res: Response, found: KeyLookup): void {
  const info: RequestKeyInfo =
    found.status === "found"
      ? { keyId: found.key.row.id, keyName: found.key.row.name, keyHint: found.key.row.hint, ownerId: found.key.row.ownerId, status: "valid" }
      : { keyId: null, keyName: null, keyHint: null, ownerId: null, status: found.status };
  res.locals.keyhouseKey = info;
}
