// Prisma's unique-constraint error (P2002), the one database error the domain turns into
// an answer (a 409 naming the clash, or a retry), on SQLite and PostgreSQL alike.

/**
 * Whether `e` is a unique-constraint violation; with `field`, only one whose reported
 * target names that column (e.g. a key value clashing, not its name).
 */
export function isUniqueViolation(e: unknown, field?: string): boolean {
  if ((e as { code?: string } | null)?.code !== "P2002") return false;
  return !field || JSON.stringify((e as { meta?: unknown }).meta ?? "").includes(field);
}
