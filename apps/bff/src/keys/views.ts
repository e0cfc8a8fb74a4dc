// The one shape in which a key leaves the server (never with its value or hash).
import {
  APIS,
  KEY_KINDS,
  SCOPES,
  compileNetworks,
  keyStatus,
  type CompiledNetworks,
  packageIdsOf,
  type Api,
  type KeyFacts,
  type KeyKind,
  type Scope,
} from "@keyhouse/shared";
import { z } from "zod";
import type { Prisma } from "../db/client.ts";

export const keyViewSchema = z.object({
  id: z.number().int(),
  kind: z.enum(KEY_KINDS),
  name: z.string(),
  description: z.string().nullable(),
  hint: z.string(),
  owner: z.object({ id: z.number().int(), username: z.string() }).nullable(),
  user: z.object({ id: z.number().int(), username: z.string() }).nullable(),
  apis: z.array(z.enum(APIS)),
  scopes: z.array(z.enum(SCOPES)),
  packages: z.array(z.string()),
  globs: z.array(z.string()),
  feeds: z.array(z.string()).nullable(),
  /** Empty: the key may be used from anywhere. */
  allowedNetworks: z.array(z.string()),
  expiryDays: z.number().int().nullable(),
  expiresAt: z.date().nullable(),
  logRequestBody: z.boolean(),
  logResponseBody: z.boolean(),
  /** Notify the owner of a first use from a new network (keys/new-networks.ts). */
  alertNewNetworks: z.boolean(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: z.date().nullable(),
  revokedReason: z.string().nullable(),
  /** A replaced value still working (rotation with overlap) stops then; null: none. */
  oldValueExpiresAt: z.date().nullable(),
  status: z.object({
    state: z.enum(["active", "expiring", "expired", "revoked", "legacy"]),
    label: z.string(),
    daysLeft: z.number().nullable(),
  }),
});
export type KeyView = z.infer<typeof keyViewSchema>;

export const keyViewInclude = {
  owner: { select: { id: true, username: true } },
  user: { select: { id: true, username: true } },
  // the replaced value that works longest, if any
  oldSecrets: { select: { expiresAt: true }, orderBy: { expiresAt: "desc" }, take: 1 },
} as const satisfies Prisma.ApiKeyInclude;

export type KeyRow = Prisma.ApiKeyGetPayload<{ include: typeof keyViewInclude }>;
type PlainKeyRow = Prisma.ApiKeyGetPayload<object>;

function list<T extends string>(json: string | null, allowed: readonly T[]): T[] {
  if (json === null) return [];
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed.filter((v) => (allowed as readonly unknown[]).includes(v)) as T[]) : [];
}

function strings(json: string | null): string[] {
  if (json === null) return [];
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
}

/** The lists stored as JSON text, parsed. */
export function keyLists(row: Pick<PlainKeyRow, "apis" | "scopes" | "packages" | "globs" | "feeds">) {
  return {
    apis: list<Api>(row.apis, APIS),
    scopes: list<Scope>(row.scopes, SCOPES),
    packages: strings(row.packages),
    globs: strings(row.globs),
    feeds: row.feeds === null ? null : strings(row.feeds),
  };
}

export function toKeyView(row: KeyRow, now = new Date()): KeyView {
  const kind = row.kind as KeyKind;
  const lists = keyLists(row);
  return {
    id: row.id,
    kind,
    name: row.name,
    description: row.description,
    hint: row.hint,
    owner: row.owner,
    user: row.user,
    ...lists,
    // Stored bound to their feeds ("feed/id"); people, the wizard and ProGet-shaped answers
    // deal in ids, which the wizard lists with the feeds the owner has them on.
    packages: packageIdsOf(lists.packages),
    allowedNetworks: allowedNetworksOf(row),
    expiryDays: row.expiryDays,
    expiresAt: row.expiresAt,
    logRequestBody: row.logRequestBody,
    logResponseBody: row.logResponseBody,
    alertNewNetworks: row.alertNewNetworks,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
    oldValueExpiresAt: row.oldSecrets[0] && row.oldSecrets[0].expiresAt > now ? row.oldSecrets[0].expiresAt : null,
    status: keyStatus({ kind, revokedAt: row.revokedAt, expiresAt: row.expiresAt }, now),
  };
}

export function allowedNetworksOf(row: Pick<PlainKeyRow, "allowedNetworks">): string[] {
  return strings(row.allowedNetworks);
}

/**
 * What the decision function needs to know about a key. The allowed networks are compiled
 * here, once per load (keys/verify.ts caches these facts), not per request.
 */
// The key cache re-reads keys in use every second; the same list is not compiled again.
const compiled = new Map<string, CompiledNetworks>();
function networksOf(row: Pick<PlainKeyRow, "allowedNetworks">): CompiledNetworks {
  const text = row.allowedNetworks ?? "[]";
  let networks = compiled.get(text);
  if (!networks) {
    networks = compileNetworks(allowedNetworksOf(row));
    if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
    compiled.set(text, networks);
  }
  return networks;
}

export function toKeyFacts(row: PlainKeyRow): KeyFacts {
  const networks = networksOf(row);
  return {
    id: row.id,
    kind: row.kind as KeyKind,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    ownerId: row.ownerId,
    userId: row.userId,
    ...keyLists(row),
    networks: networks.count > 0 ? networks : null,
  };
}
