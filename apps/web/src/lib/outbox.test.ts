import { describe, expect, it } from "vitest";
import { attemptsText, OUTBOX_STATUS_LABELS, outboxIntro } from "./outbox";

describe("outbox helpers", () => {
  it("explains where notices go", () => {
    expect(outboxIntro(false)).toBe("No SMTP server is configured, so notices are kept here instead of being emailed.");
    expect(outboxIntro(true)).toMatch(/emailed through the configured SMTP server/);
  });

  it("labels statuses and attempts", () => {
    expect(OUTBOX_STATUS_LABELS).toEqual({ pending: "Pending", sent: "Sent", failed: "Failed" });
    expect(attemptsText(0)).toBeNull();
    expect(attemptsText(1)).toBe("1 attempt");
    expect(attemptsText(3)).toBe("3 attempts");
  });
});
