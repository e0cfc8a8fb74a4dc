-- Data only, no schema change (docs/authorization.md, "A key never grants more than it has").
--
-- 1. A scoped key’s packages chosen by name are bound to their feed: each stored id becomes
--    "feed/id" for every feed where the key’s owner owns a package of that id, an id the
--    owner owns nowhere any more is dropped (it could only have matched someone else’s
--    package). Entries already bound (a "/" not after a leading "@") are kept. Running this
--    again changes nothing.
-- 2. A custom system key’s hint shows only its last 4 characters ("…wxyz"), and a name made
--    from the hint follows it. Generated keys ("khk_…") keep theirs.

UPDATE "ApiKey" k SET "packages" = COALESCE((
  SELECT json_agg(e."entry" ORDER BY e."entry")::text FROM (
    SELECT f."name" || '/' || p."name" AS "entry"
    FROM json_array_elements_text(k."packages"::json) AS j("value")
    JOIN "Package" p ON p."nameLower" = lower(j."value")
    JOIN "Feed" f ON f."id" = p."feedId"
    JOIN "PackageOwner" o ON o."packageId" = p."id" AND o."userId" = k."ownerId"
    WHERE position('/' in j."value") = 0 OR left(j."value", 1) = '@'
    UNION
    SELECT j."value" FROM json_array_elements_text(k."packages"::json) AS j("value")
    WHERE position('/' in j."value") > 0 AND left(j."value", 1) <> '@'
  ) e
), '[]')
WHERE k."kind" = 'scoped' AND k."packages" <> '[]';

UPDATE "ApiKey" SET "name" = 'System key …' || right("hint", 4)
WHERE "kind" = 'system' AND left("hint", 4) <> 'khk_' AND left("hint", 1) <> '…' AND length("hint") > 5
  AND "name" = 'System key ' || "hint";

UPDATE "ApiKey" SET "hint" = '…' || right("hint", 4)
WHERE "kind" = 'system' AND left("hint", 4) <> 'khk_' AND left("hint", 1) <> '…' AND length("hint") > 5;
