-- Data only, no schema change (docs/presenting-keys.md): the access log keeps the hint of the
-- key each request presented, a custom system key’s hint shows only its last 4 characters
-- there too, as in its key row since 20261204221500. Entries of keys since deleted are
-- shortened as well (their kind is unknown, a shorter hint gives nothing away). Generated
-- the hints of generated keys ("khk_…") and those of legacy keys stay. Running this again changes nothing.
UPDATE "AccessLogEntry" SET "keyHint" = '…' || right("keyHint", 4)
WHERE "keyHint" IS NOT NULL AND left("keyHint", 4) <> 'khk_' AND left("keyHint", 1) <> '…' AND length("keyHint") > 5
  AND "keyId" IS NOT NULL
  AND ("keyId" IN (SELECT "id" FROM "ApiKey" WHERE "kind" = 'system') OR NOT EXISTS (SELECT 1 FROM "ApiKey" k WHERE k."id" = "AccessLogEntry"."keyId"));
