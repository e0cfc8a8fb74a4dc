import { generateKeyValue } from "@keyhouse/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BODY_LOG_LIMIT, truncate } from "./capture.ts";
import { REDACTED, SECRET_FIELD_NAMES } from "./redact.ts";
import { scrubText, scrubUrl, scrubValue } from "./scrub.ts";

const K = generateKeyValue();

describe("scrub", () => {
  it("removes the Native API's Key_Text and Password_Text, in queries and bodies", () => {
    expect(scrubUrl("/api/json/ApiKeys_CreateOrUpdateApiKey?Key_Text=custom-value-123456789&Feed_Name=npm")).toBe(
      `/api/json/ApiKeys_CreateOrUpdateApiKey?Key_Text=${encodeURIComponent(REDACTED)}&Feed_Name=npm`,
    );
    const json = scrubText(JSON.stringify([{ Key_Text: "custom-value-123456789", Password_Text: "hunter2!", Key_Hint: "cust…6789" }]), "application/json");
    expect(JSON.parse(json)).toEqual([{ Key_Text: REDACTED, Password_Text: REDACTED, Key_Hint: "cust…6789" }]);
    expect(scrubText("key_text=abc&password_text=def&x=1", "application/x-www-form-urlencoded")).toBe(
      `key_text=${encodeURIComponent(REDACTED)}&password_text=${encodeURIComponent(REDACTED)}&x=1`,
    );
  });

  it("removes every name of redact.ts's list, the one list of secret names", () => {
    for (const name of SECRET_FIELD_NAMES) {
      expect(scrubUrl(`/p?${name}=hunter2hunter2`), name).not.toContain("hunter2");
      expect(scrubText(JSON.stringify({ a: { [name]: "hunter2hunter2" } }), "application/json"), name).not.toContain("hunter2");
      expect(scrubText(`{"${name}": "hunter2hunter2`, "application/json"), name).not.toContain("hunter2");
      expect(scrubText(`${name}=hunter2hunter2&x=1`, "application/x-www-form-urlencoded"), name).not.toContain("hunter2");
    }
  });

  it("removes anything shaped like a generated key, wherever it is", () => {
    expect(scrubUrl(`/nuget/feed/api/v2/package/${K}/1.0`)).toBe(`/nuget/feed/api/v2/package/${REDACTED}/1.0`);
    expect(scrubUrl(`/p?q=${K}`)).not.toContain(K.slice(4));
    expect(scrubText(`plain text with ${K} inside`, "text/plain")).toBe(`plain text with ${REDACTED} inside`);
    expect(JSON.stringify(scrubValue({ note: `use ${K}`, [K]: 1 }))).not.toContain(K.slice(4, 34));
    expect(scrubText("khk_ is our prefix", "text/plain")).toBe("khk_ is our prefix");
  });

  it("removes secret-named properties from JSON that does not parse (cut short or malformed)", () => {
    const cut = JSON.stringify({ a: 1, API_Key: "custom-secret-value-123", password: "hunter2", note: "x".repeat(50) }).slice(0, -20);
    const out = scrubText(cut, "application/json");
    expect(out).not.toContain("custom-secret-value-123");
    expect(out).not.toContain("hunter2");
    expect(out).toContain('"a":1');
    expect(scrubText('{"token": "abc-def-ghi', "application/json")).toBe(`{"token": "${REDACTED}"`);
    expect(scrubText('{"key": 12345, "keep": 1,', "application/json")).toBe(`{"key": "${REDACTED}", "keep": 1,`);
  });

  it("never lets a value under a secret name through, whatever the text around it", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom("key", "API_Key", "Key_Text", "password", "Password_Text", "token", "_authToken"),
        fc.nat(400),
        (v, name, cut) => {
          const text = JSON.stringify({ wrap: [v, { [name]: "SECRET-VALUE-123" }] });
          expect(scrubText(text, "application/json")).not.toContain("SECRET-VALUE-123");
          expect(scrubText(text.slice(0, cut), "application/json")).not.toContain("SECRET-VALUE-123");
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});

describe("truncate", () => {
  it("keeps at most 64 KiB of UTF-8, marking the cut", () => {
    expect(truncate("short")).toBe("short");
    for (const unit of ["a", "é", "✓", "😀"]) {
      const out = truncate(unit.repeat(100_000));
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(BODY_LOG_LIMIT);
      expect(Buffer.byteLength(out)).toBeGreaterThan(BODY_LOG_LIMIT - 40);
      expect(out.endsWith("… [truncated]")).toBe(true);
    }
    const exact = "a".repeat(BODY_LOG_LIMIT);
    expect(truncate(exact)).toBe(exact);
  });
});
