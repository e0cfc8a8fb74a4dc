-- The access-log grid's "path contains" (ILIKE '%…%', apps/bff/src/logs/query.ts) through a
-- trigram index: a text that few entries contain is found at once instead of by reading the
-- table, which PostgreSQL does at about a second per 1 000 000 entries (docs/quality-bars.md: 50 ms).
-- PostgreSQL only, so written by hand rather than derived from prisma/schema.prisma: the
-- schema is shared with SQLite, which has no such index (there the grid searches newest
-- first within a time budget per page). Writing an entry costs a few microseconds more.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's
-- owner may create it.

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "AccessLogEntry_path_trgm_idx" ON "AccessLogEntry" USING GIN ("path" gin_trgm_ops);
