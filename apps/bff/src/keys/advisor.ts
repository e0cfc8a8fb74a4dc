// The least-privilege advisor (docs/advisor.md) for the SPA's procedures, the Native API
// (ApiKeys_GetUsage) and the management API (GET /api/api-keys/usage): a key's use over the
// window from the usage summary, and its advice (@keyhouse/shared adviseKey). Narrowing
// applies only a change that narrows the key as it is now (narrowsOnly, checked here in the
// transaction, whatever the client sent), audited and told to the owner like every change.
import { adviseKey, narrowsOnly, type KeyKind, type KeyRights, type KeyUsageAdvice } from "@keyhouse/shared";
import type { Caller } from "../auth/caller.ts";
import type { Db } from "../db/client.ts";
import { AppError, conflict } from "../errors.ts";
import { recordAudit } from "../logs/audit.ts";
import { readKeysUsage, readKeyUsage, usageWindowDays } from "../logs/usage-summary.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";
import { ownerOf } from "./lifecycle.ts";
import { findReachableKey } from "./reach.ts";
import { keyLists, keyViewInclude, toKeyView, type KeyView } from "./views.ts";

type RightsRow = { apis: string; scopes: string; packages: string; globs: string; feeds: string | null; allowedNetworks: string | null };

export function rightsOf(row: RightsRow): KeyRights {
  const l = keyLists(row);
  const nets = row.allowedNetworks ? (JSON.parse(row.allowedNetworks) as string[]) : null;
  return { apis: l.apis, scopes: l.scopes, packages: l.packages, globs: l.globs, feeds: l.feeds, allowedNetworks: nets?.length ? nets : null };
}

/** What the key used over the window (90 days, at most LOG_RETENTION_DAYS) and the advice; a key out of reach is a 404. */
export async function keyUsageAdvice(db: Db, viewer: Caller, id: number, retentionDays: number, now = new Date()): Promise<KeyUsageAdvice> {
  const row = await findReachableKey(db, viewer, id);
  return adviceFor(db, row, retentionDays, now);
}

async function adviceFor(db: Db, row: RightsRow & { id: number; kind: string }, retentionDays: number, now: Date): Promise<KeyUsageAdvice> {
  const kind = row.kind as KeyKind;
  const rights = rightsOf(row);
  const usage = await readKeyUsage(db, row.id, usageWindowDays(retentionDays), now);
  return { keyId: row.id, kind, rights, usage, advice: adviseKey(kind, rights, usage) };
}

/** Advice for many keys at once (the admin grid's "Unused rights" and "Broader than used"): one grouped summary read, no log scan. */
export async function adviceForKeys(
  db: Db,
  rows: (RightsRow & { id: number; kind: string })[],
  retentionDays: number,
  now = new Date(),
): Promise<Map<number, KeyUsageAdvice>> {
  const usage = await readKeysUsage(
    db,
    rows.map((r) => r.id),
    usageWindowDays(retentionDays),
    now,
  );
  return new Map(
    rows.map((row) => {
      const kind = row.kind as KeyKind;
      const rights = rightsOf(row);
      const u = usage.get(row.id)!;
      return [row.id, { keyId: row.id, kind, rights, usage: u, advice: adviseKey(kind, rights, u) }];
    }),
  );
}

const asJson = (list: string[] | null) => (list === null ? null : JSON.stringify(list));

/** Applies `rights` to the key if they only narrow it; audited, and the owner is told. */
export async function narrowKey(db: Db, viewer: Caller, input: { id: number; rights: KeyRights }, now = new Date()): Promise<KeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = await findReachableKey(tx, viewer, input.id);
    if (key.revokedAt) throw conflict("This key is revoked: there is nothing to narrow.");
    const current = rightsOf(key);
    const refusal = narrowsOnly(key.kind as KeyKind, current, input.rights);
    if (refusal) throw new AppError("BAD_REQUEST", `${refusal} The advisor only narrows a key; reload its usage for the current suggestion.`);
    const next = input.rights;
    const updated = await tx.apiKey.update({
      where: { id: key.id },
      data: {
        apis: JSON.stringify(next.apis),
        scopes: JSON.stringify(next.scopes),
        packages: JSON.stringify(next.packages),
        globs: JSON.stringify(next.globs),
        feeds: asJson(next.feeds),
        allowedNetworks: next.allowedNetworks?.length ? JSON.stringify(next.allowedNetworks) : null,
      },
      include: keyViewInclude,
    });
    await recordAudit(tx, viewer, "key.updated", updated, { narrowed: { from: current, to: next } });
    await enqueueNotification(tx, await ownerOf(tx, updated.ownerId), templates.narrowed(keyMailFacts(updated), viewer.username), updated.id);
    return updated;
  });
  return toKeyView(row, now);
}
