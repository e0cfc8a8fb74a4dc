// Leak reports (docs/threat-model.md, "A key leaks"): a secret scanner (GitHub secret
// scanning, gitleaks, TruffleHog) posts tokens it found in public; every live key among
// them is revoked at once, in one transaction, and its owner and the administrators are
// told where it was found. The answer tells, per token, whether it was a live key, by the
// token's SHA-256 only: it never echoes a value.
import { createHash } from "node:crypto";
import { checkKeyFormat } from "@keyhouse/shared";
import { z } from "zod";
import type { CallerOnRecord } from "../auth/caller.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { recordAudit } from "../logs/audit.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";
import { hashKeyValue } from "./secrets.ts";

export const MAX_LEAK_TOKENS = 100;

const reportSchema = z.object(
  {
    token: z.string({ error: 'Each report needs a "token" (text).' }).min(1, 'A "token" is empty.').max(1000, 'A "token" is longer than 1000 characters.'),
    url: z.string({ error: 'Each report needs a "url" (text): where the token was found.' }).max(2000, 'A "url" is longer than 2000 characters.'),
    source: z.string({ error: 'Each report needs a "source" (text), e.g. "content".' }).max(200, 'A "source" is longer than 200 characters.'),
  },
  { error: 'Each report must be an object {"token", "url", "source"}.' },
);

export const reportsSchema = z
  .array(reportSchema, { error: 'Send a JSON array of {"token", "url", "source"} objects (GitHub secret scanning\'s shape).' })
  .min(1, "The array of reports is empty.")
  .max(MAX_LEAK_TOKENS, `At most ${MAX_LEAK_TOKENS} tokens per report.`);

export type LeakReport = z.output<typeof reportSchema>;
export type LeakLabel = { token_hash: string; label: "true_positive" | "false_positive" };

/** Parses and checks a report body; a 400 naming the first problem. */
export function parseLeakReports(body: unknown): LeakReport[] {
  const r = reportsSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = typeof issue?.path[0] === "number" ? `Report ${issue.path[0] + 1}: ` : "";
    throw new AppError("BAD_REQUEST", `${where}${issue?.message ?? "The report is not valid."}`);
  }
  const seen = new Set<string>();
  for (const [i, report] of r.data.entries()) {
    if (seen.has(report.token)) throw new AppError("BAD_REQUEST", `Report ${i + 1}: this token is listed twice; send each token once.`);
    seen.add(report.token);
  }
  return r.data;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Revokes every live key among the reported tokens, notifies, audits; answers per token. */
export async function reportLeaks(deps: { db: Db; secret: string }, reports: LeakReport[], ip: string, now = new Date()): Promise<LeakLabel[]> {
  // A generated-looking token with a wrong checksum is no key: no lookup for it.
  const candidates = reports.filter((r) => r.token.length <= 512 && checkKeyFormat(r.token) !== "malformed");
  const byHash = new Map(candidates.map((r) => [hashKeyValue(r.token, deps.secret), r]));
  const revoked = new Set<string>();
  if (byHash.size > 0) {
    await deps.db.$transaction(async (tx) => {
      const hashes = [...byHash.keys()];
      // A replaced value still in its overlap works, so a leak of it is a leak of the key.
      const liveOld = { secretHash: { in: hashes }, expiresAt: { gt: now } };
      const live = await tx.apiKey.findMany({
        where: {
          AND: [{ OR: [{ secretHash: { in: hashes } }, { oldSecrets: { some: liveOld } }] }, { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }],
          revokedAt: null,
        },
        include: { oldSecrets: { where: liveOld, select: { secretHash: true } } },
      });
      if (live.length === 0) return;
      const admins = await tx.user.findMany({ where: { role: "admin", disabled: false }, select: { id: true, email: true } });
      const caller: CallerOnRecord = { id: null, username: "leak report", ip };
      for (const key of live) {
        const found = [key.secretHash, ...key.oldSecrets.map((o) => o.secretHash)].flatMap((h) => byHash.get(h) ?? []);
        const report = found[0]!;
        // The revokedAt guard: a key revoked meanwhile is not revoked (nor announced) twice.
        const { count } = await tx.apiKey.updateMany({
          where: { id: key.id, revokedAt: null },
          data: {
            revokedAt: now,
            revokedReason: report.url
              ? `Reported leaked at ${report.url.slice(0, 400)} (${report.source.slice(0, 100)})`
              : `Reported leaked by ${report.source.slice(0, 100)}`,
          },
        });
        if (count === 0) continue;
        // A revoked key's replaced values still in their overlap end with it.
        await tx.apiKeyOldSecret.deleteMany({ where: { keyId: key.id } });
        for (const r of found) revoked.add(r.token);
        await recordAudit(tx, caller, "key.revoked", key, { reason: "leak report", url: report.url, source: report.source });
        const owner = key.ownerId === null ? null : await tx.user.findUnique({ where: { id: key.ownerId }, select: { id: true, email: true } });
        const message = templates.leaked(keyMailFacts(key), report.url, report.source);
        const told = new Set<number>();
        for (const to of [owner, ...admins]) {
          if (!to || told.has(to.id)) continue;
          told.add(to.id);
          await enqueueNotification(tx, to, message, key.id);
        }
      }
    });
  }
  return reports.map((r) => ({ token_hash: sha256(r.token), label: revoked.has(r.token) ? "true_positive" : "false_positive" }));
}
