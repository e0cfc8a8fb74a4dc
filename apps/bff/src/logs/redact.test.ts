import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { REDACTED, redactText, redactUrl, redactValue } from "./redact.ts";

const K = "khk_abcdefghijklmnopqrstuvwxyz0123ABCDEF";

describe("redaction", () => {
  it("replaces secret query parameters whatever their case", () => {
    expect(redactUrl(`/api/json/X?key=${K}&Feed_Name=npm`)).toBe(`/api/json/X?key=${encodeURIComponent(REDACTED)}&Feed_Name=npm`);
    for (const name of ["API_Key", "apikey", "token", "_authToken", "password", "Key"]) {
      expect(redactUrl(`/p?${name}=${K}`)).not.toContain(K);
    }
    expect(redactUrl("/p?a=1")).toBe("/p?a=1");
    expect(redactUrl("/p")).toBe("/p");
  });

  it("replaces secret fields in JSON and form bodies at any depth", () => {
    const json = redactText(JSON.stringify({ API_Key: K, a: { password: "hunter2", list: [{ token: K }] }, keep: 1 }), "application/json");
    expect(json).not.toContain(K);
    expect(json).not.toContain("hunter2");
    expect(JSON.parse(json)).toMatchObject({ API_Key: REDACTED, keep: 1 });
    expect(redactText(`key=${K}&x=1`, "application/x-www-form-urlencoded")).not.toContain(K);
  });

  it("never lets a secret-named field through, for any shape", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("key", "API_Key", "password", "token", "_authToken"), (v, name) => {
        const out = JSON.stringify(redactValue({ wrap: [v, { [name]: "SECRET-VALUE-123" }] }));
        expect(out).not.toContain("SECRET-VALUE-123");
      }),
    );
  });
});
