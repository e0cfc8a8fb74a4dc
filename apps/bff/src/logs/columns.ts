// The columns of "AccessLogEntry", named once for every writer and reader that lists them
// (the log writer, the SQLite worker, the PostgreSQL batch insert, the exports, the seed).

/** An entry's request metadata, in the order of the table (after its id). */
export const ACCESS_LOG_METADATA_COLUMNS = [
  "at",
  "keyId",
  "keyName",
  "keyHint",
  "keyStatus",
  "ownerId",
  "userId",
  "username",
  "surface",
  "feed",
  "method",
  "path",
  "status",
  "durationMs",
  "ip",
  "userAgent",
  "bytesIn",
  "bytesOut",
] as const;

/** The columns the writer fills, in the order of the table. */
export const ACCESS_LOG_COLUMNS = [...ACCESS_LOG_METADATA_COLUMNS, "requestBodyHash", "responseBodyHash"] as const;

/** PostgreSQL casts, so that text parameters land in typed columns. */
export const ACCESS_LOG_PG_TYPES: Partial<Record<(typeof ACCESS_LOG_COLUMNS)[number], string>> = {
  at: "timestamp(3)",
  keyId: "integer",
  ownerId: "integer",
  userId: "integer",
  status: "integer",
  durationMs: "double precision",
  bytesIn: "integer",
  bytesOut: "integer",
};
