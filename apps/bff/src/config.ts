// Configuration comes only from environment variables, validated once at start-up so
// that a bad value stops the server with a message naming the variable.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/trust-proxy.ts";
import { parseStorageUrl } from "./feeds/storage/location.ts";
import type { StorageLocation } from "./feeds/storage/types.ts";

const port = z.coerce
  .number({ message: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const envSchema = z.object({
  PORT: port.default(3000),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^file:.+/.test(v) || /^postgres(ql)?:\/\/.+/i.test(v), {
      message: "must be file:PATH (SQLite) or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
    })
    .default("file:./data/keyhouse.db"),
  KEYHOUSE_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  PUBLIC_URL: z
    .string()
    .url("must be an absolute http(s) URL such as https://keys.example.com")
    .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://")
    .optional(),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/.+/.test(v), "must be smtp://HOST:PORT or smtps://USER:PASSWORD@HOST:PORT")
    .optional(),
  SMTP_FROM: z.string().min(3).default("Keyhouse <keyhouse@localhost>"),
  LOG_RETENTION_DAYS: z.coerce
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1")
    .max(3650, "must be at most 3650")
    .default(90),
  KEYHOUSE_SEED: z.enum(["demo", "none"], { message: 'must be "demo" or "none"' }).default("demo"),
  DEMO_PASSWORD: z.string().min(8, "must be at least 8 characters").default("keyhouse-demo"),
  KEYHOUSE_DATA_DIR: z.string().default("./data"),
  MAX_UPLOAD_MB: z.coerce
    .number({ message: "must be a whole number of megabytes" })
    .int("must be a whole number of megabytes")
    .min(1, "must be at least 1")
    .max(8192, "must be at most 8192")
    .default(250),
  KEYHOUSE_WEB_DIST: z.string().optional(),
  // Checked here for its form; taken apart in loadConfig, where the repository root is known.
  STORAGE_URL: z
    .string()
    .trim()
    .optional()
    .superRefine((v, ctx) => {
      const parsed = v === undefined ? null : parseStorageUrl(v, "/");
      if (parsed && "error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
    }),
  KEYHOUSE_TRUST_PROXY: z
    .string()
    .default("false")
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.message });
      return parsed.ok ? parsed.trustProxy : z.NEVER;
    }),
});

// A configuration error repeats the value it refuses only for these variables: the
// others may hold a secret (KEYHOUSE_SECRET, DEMO_PASSWORD, passwords inside
// DATABASE_URL or SMTP_URL), and start-up errors end up in logs. A new variable is
// therefore not printed until it is added here.
const PRINTABLE = new Set([
  "PORT",
  "PUBLIC_URL",
  "SMTP_FROM",
  "LOG_RETENTION_DAYS",
  "KEYHOUSE_SEED",
  "KEYHOUSE_DATA_DIR",
  "MAX_UPLOAD_MB",
  "KEYHOUSE_WEB_DIST",
  "KEYHOUSE_TRUST_PROXY",
]);

export type Config = {
  port: number;
  databaseUrl: string;
  provider: "sqlite" | "postgres";
  secret: string;
  publicUrl: string | undefined;
  smtpUrl: string | undefined;
  smtpFrom: string;
  logRetentionDays: number;
  seed: "demo" | "none";
  demoPassword: string;
  dataDir: string;
  /** MAX_UPLOAD_MB in bytes: the largest package upload, counted after Content-Encoding is decoded. */
  maxUploadBytes: number;
  webDist: string;
  /** KEYHOUSE_TRUST_PROXY, as Express's `trust proxy` takes it (http/trust-proxy.ts). */
  trustProxy: TrustProxy;
  /** STORAGE_URL: where package files live (feeds/storage/). Absent in tests' configurations: `packages` in dataDir. */
  storage?: StorageLocation;
};

export class ConfigError extends Error {}

/** Reads and checks the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}: ${i.message} ${PRINTABLE.has(name) ? `(got ${JSON.stringify(cleaned[name])})` : "(the value is not shown: it may hold a secret)"}`;
    });
    throw new ConfigError(`Keyhouse cannot start, the configuration is invalid:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const root = repoRoot();
  const dataDir = path.resolve(root, e.KEYHOUSE_DATA_DIR);
  const databaseUrl = e.DATABASE_URL.startsWith("file:") ? `file:${path.resolve(root, e.DATABASE_URL.slice(5))}` : e.DATABASE_URL;
  return {
    port: e.PORT,
    databaseUrl,
    provider: e.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgres",
    secret: e.KEYHOUSE_SECRET ?? readOrCreateSecret(dataDir),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    logRetentionDays: e.LOG_RETENTION_DAYS,
    seed: e.KEYHOUSE_SEED,
    demoPassword: e.DEMO_PASSWORD,
    dataDir,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    webDist: path.resolve(root, e.KEYHOUSE_WEB_DIST ?? "apps/web/dist"),
    trustProxy: e.KEYHOUSE_TRUST_PROXY,
    storage: storageOf(e.STORAGE_URL, root, dataDir, env),
  };
}

/**
 * Relative paths in the configuration are taken from the repository root, so the
 * server finds the same files whether it runs from the root, apps/bff or dist.
 */
export function repoRoot(from = import.meta.dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** STORAGE_URL, by default the folder `packages` in the data folder (file:./data/packages). */
function storageOf(url: string | undefined, root: string, dataDir: string, env: NodeJS.ProcessEnv): StorageLocation {
  const parsed = parseStorageUrl(url ?? `file:${path.join(dataDir, "packages")}`, root, env);
  if ("error" in parsed) throw new ConfigError(`Keyhouse cannot start, the configuration is invalid:\n  STORAGE_URL: ${parsed.error}`);
  return parsed;
}

/** The pepper and cookie secret: generated once into the data folder when not configured. */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}
