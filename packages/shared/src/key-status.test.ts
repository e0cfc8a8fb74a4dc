import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, EXPIRY_WARNING_DAYS, KEY_KINDS } from "./constants.ts";
import { expiresAtFrom, keyStatus } from "./key-status.ts";

const now = new Date("2025-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const scoped = (expiresAt: Date | string | null, revokedAt: Date | string | null = null) => keyStatus({ kind: "scoped", expiresAt, revokedAt }, now);

describe("keyStatus", () => {
  it("is Active beyond the warning window", () => {
    expect(scoped(at(30 * DAY_MS))).toEqual({ state: "active", label: "Active", daysLeft: 30 });
    expect(scoped(at(10 * DAY_MS + 1))).toEqual({ state: "active", label: "Active", daysLeft: 11 });
    expect(keyStatus({ kind: "system", expiresAt: null, revokedAt: null }, now)).toEqual({
      state: "active",
      label: "Active",
      daysLeft: null,
    });
  });

  it("counts the days left, rounded up, within the warning window", () => {
    expect(scoped(at(10 * DAY_MS))).toEqual({ state: "expiring", label: "Expires in 10 days", daysLeft: 10 });
    expect(scoped(at(2 * DAY_MS + 1))).toEqual({ state: "expiring", label: "Expires in 3 days", daysLeft: 3 });
    expect(scoped(at(DAY_MS))).toEqual({ state: "expiring", label: "Expires in 1 day", daysLeft: 1 });
    expect(scoped(at(1))).toEqual({ state: "expiring", label: "Expires in 1 day", daysLeft: 1 });
  });

  it("is Expired from the expiry instant on", () => {
    expect(scoped(at(0))).toEqual({ state: "expired", label: "Expired", daysLeft: 0 });
    expect(scoped(at(-5 * DAY_MS))).toEqual({ state: "expired", label: "Expired", daysLeft: 0 });
  });

  it("calls an unreadable expiry Expired rather than never-expiring", () => {
    expect(scoped("not a date").state).toBe("expired");
  });

  it("lets Revoked win over everything", () => {
    expect(scoped(at(-DAY_MS), at(-2 * DAY_MS))).toEqual({ state: "revoked", label: "Revoked", daysLeft: null });
    expect(keyStatus({ kind: "legacy", expiresAt: null, revokedAt: now }, now).label).toBe("Revoked");
  });

  it("shows legacy keys as full access", () => {
    expect(keyStatus({ kind: "legacy", expiresAt: null, revokedAt: null }, now)).toEqual({
      state: "legacy",
      label: "Full access (legacy)",
      daysLeft: null,
    });
  });

  it("accepts dates that have been through JSON", () => {
    expect(scoped(at(3 * DAY_MS).toISOString()).label).toBe("Expires in 3 days");
    expect(scoped(null, now.toISOString()).label).toBe("Revoked");
  });

  it("has one label per state, consistent with daysLeft", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEY_KINDS), fc.option(fc.integer({ min: -400 * DAY_MS, max: 400 * DAY_MS })), fc.boolean(), (kind, offset, revoked) => {
        const status = keyStatus({ kind, expiresAt: offset === null ? null : at(offset), revokedAt: revoked ? now : null }, now);
        if (revoked) return status.state === "revoked";
        if (offset !== null && offset <= 0) return status.state === "expired";
        if (kind === "legacy") return status.label === "Full access (legacy)";
        if (status.state === "expiring") {
          return status.daysLeft !== null && status.daysLeft >= 1 && status.daysLeft <= EXPIRY_WARNING_DAYS;
        }
        return status.label === "Active" && (status.daysLeft === null || status.daysLeft > EXPIRY_WARNING_DAYS);
      }),
    );
  });
});

describe("expiresAtFrom", () => {
  it("adds whole days", () => {
    expect(expiresAtFrom(365, now).toISOString()).toBe("2026-03-01T12:00:00.000Z");
    expect(expiresAtFrom(1, now).getTime() - now.getTime()).toBe(DAY_MS);
    expect(scoped(expiresAtFrom(30, now)).label).toBe("Active");
    expect(scoped(expiresAtFrom(1, now)).label).toBe("Expires in 1 day");
  });
});
