import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, toDate } from "./dates";

describe("dates", () => {
  it("accepts the ISO strings tRPC delivers as well as Dates", () => {
    expect(toDate("2026-03-14T15:04:00.000Z").getTime()).toBe(Date.UTC(2026, 2, 14, 15, 4));
    const date = new Date();
    expect(toDate(date)).toBe(date);
  });

  it("formats days and times", () => {
    expect(formatDate("2026-03-14T15:04:00.000Z", "en-US", "UTC")).toBe("Mar 14, 2026");
    expect(formatDateTime("2026-03-14T15:04:00.000Z", "en-US", "UTC")).toBe("Mar 14, 2026, 3:04 PM");
    expect(formatDate("2026-03-14T15:04:00.000Z", "en-GB", "UTC")).toBe("14 Mar 2026");
  });
});
