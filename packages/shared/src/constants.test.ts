// The vocabulary is only worth something if the rules use it: each test here drives the
// code that should honour a constant and fails if one of them drifts from it.
import { describe, expect, it } from "vitest";
import * as shared from "./index.ts";
import {
  DAY_MS,
  DEFAULT_EXPIRY_DAYS,
  EXPIRY_DAYS,
  EXPIRY_WARNING_DAYS,
  KEY_KINDS,
  KEY_NAME_MAX,
  KEY_PREFIX,
  MESSAGES,
  MIN_CUSTOM_KEY_LENGTH,
  SCOPES,
  SCOPE_LABELS,
} from "./constants.ts";
import { authorize, type KeyFacts } from "./authorize.ts";
import { checkKeyFormat, generateKeyValue, isValidCustomKey } from "./key-format.ts";
import { keyStatus } from "./key-status.ts";
import { createKeyInputSchema, expiresInDaysSchema, keyNameSchema, scopesSchema } from "./schemas.ts";

const now = new Date("2026-03-01T12:00:00Z");
const inDays = (days: number) => new Date(now.getTime() + days * DAY_MS);

function systemKey(expiresAt: Date | null): KeyFacts {
  return { id: 1, kind: "system", revokedAt: null, expiresAt, apis: ["native"], scopes: [], packages: [], globs: [], feeds: null, ownerId: null, userId: null };
}

describe("the expiry warning", () => {
  it("starts on the same day in the key lists and in the warning header", () => {
    for (const days of [1, EXPIRY_WARNING_DAYS - 1, EXPIRY_WARNING_DAYS, EXPIRY_WARNING_DAYS + 1, 30]) {
      const expiresAt = inDays(days);
      const listed = keyStatus({ kind: "scoped", revokedAt: null, expiresAt }, now);
      const decision = authorize(systemKey(expiresAt), { surface: "native" }, null, now);
      if (!decision.allowed) throw new Error(decision.message);
      const warned = days <= EXPIRY_WARNING_DAYS;
      expect(listed.state, `${days} days`).toBe(warned ? "expiring" : "active");
      expect(decision.warning !== null, `${days} days`).toBe(warned);
    }
  });
});

describe("expiry choices", () => {
  it("are what the wizard's schema accepts, with the default among them", () => {
    for (const days of EXPIRY_DAYS) expect(expiresInDaysSchema.parse(days)).toBe(days);
    expect(expiresInDaysSchema.parse(undefined)).toBe(DEFAULT_EXPIRY_DAYS);
    expect(EXPIRY_DAYS).toContain(DEFAULT_EXPIRY_DAYS);
    for (const days of [0, 2, 364, 366]) expect(expiresInDaysSchema.safeParse(days).success, String(days)).toBe(false);
  });
});

describe("scopes", () => {
  it("are exactly what a key may be given, each with a label for the wizard", () => {
    expect(scopesSchema.parse([...SCOPES])).toEqual([...SCOPES]);
    expect(Object.keys(SCOPE_LABELS).sort()).toEqual([...SCOPES].sort());
    expect(scopesSchema.safeParse(["delete"]).success).toBe(false);
  });
});

describe("key kinds", () => {
  it("each get a status in the key lists", () => {
    for (const kind of KEY_KINDS) {
      expect(keyStatus({ kind, revokedAt: null, expiresAt: null }, now).label, kind).toMatch(kind === "legacy" ? "Full access (legacy)" : "Active");
    }
  });
});

describe("key values", () => {
  it("are generated with the prefix the format check recognises", () => {
    const value = generateKeyValue();
    expect(value.startsWith(KEY_PREFIX)).toBe(true);
    expect(checkKeyFormat(value)).toBe("generated");
    expect(checkKeyFormat(`xyz_${value.slice(KEY_PREFIX.length)}`)).toBe("custom");
  });

  it("custom values need the minimum length, and may not pose as generated keys", () => {
    expect(isValidCustomKey("a".repeat(MIN_CUSTOM_KEY_LENGTH))).toBe(true);
    expect(isValidCustomKey("a".repeat(MIN_CUSTOM_KEY_LENGTH - 1))).toBe(false);
    expect(isValidCustomKey(KEY_PREFIX + "a".repeat(MIN_CUSTOM_KEY_LENGTH))).toBe(false);
  });
});

describe("the wizard's messages", () => {
  it("are the ones the schemas answer with", () => {
    const issues = createKeyInputSchema.safeParse({ name: " ", scopes: [], packages: [] }).error?.issues.map((i) => i.message) ?? [];
    expect(issues).toEqual(expect.arrayContaining([MESSAGES.keyNameRequired, MESSAGES.scopeRequired, MESSAGES.packagesRequired]));
    expect(keyNameSchema.safeParse("n".repeat(KEY_NAME_MAX)).success).toBe(true);
    expect(keyNameSchema.safeParse("n".repeat(KEY_NAME_MAX + 1)).success).toBe(false);
  });

  it("refuses an expired key with the invalid-key message", () => {
    const decision = authorize(systemKey(inDays(-1)), { surface: "native" }, null, now);
    expect(decision).toMatchObject({ allowed: false, status: 403, message: MESSAGES.invalidKey });
  });
});

describe("the package entry point", () => {
  it("re-exports everything every module exports", async () => {
    const modules = ["constants", "crc32", "base62", "key-format", "glob", "key-status", "schemas", "authorize", "system-key-schema", "access-log-schema"];
    for (const name of modules) {
      const mod = (await import(`./${name}.ts`)) as Record<string, unknown>;
      for (const [key, value] of Object.entries(mod)) expect((shared as Record<string, unknown>)[key], `${name}.${key}`).toBe(value);
    }
  });
});
