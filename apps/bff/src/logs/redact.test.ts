import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { generateKeyValue } from "@keyhouse/shared";
import { isSecretName, REDACTED, SECRET_FIELD_NAMES } from "./redact.ts";
import { scrubText as redactText, scrubUrl as redactUrl, scrubValue as redactValue } from "./scrub.ts";

const K = generateKeyValue();

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

  it("replaces the Native API's Key_Text and Password_Text, in query strings and JSON and form bodies", () => {
    expect(redactUrl(`/api/json/ApiKeys_CreateOrUpdateApiKey?Key_Text=${K}&Key_Name=ci`)).toBe(
      `/api/json/ApiKeys_CreateOrUpdateApiKey?Key_Text=${encodeURIComponent(REDACTED)}&Key_Name=ci`,
    );
    expect(redactUrl("/api/json/Users_CreateOrUpdateUser?User_Name=zed&Password_Text=hunter2hunter2")).toBe(
      `/api/json/Users_CreateOrUpdateUser?User_Name=zed&Password_Text=${encodeURIComponent(REDACTED)}`,
    );
    const json = redactText(JSON.stringify({ Key_Text: K, nested: [{ password_text: "hunter2hunter2" }], Key_Hint: "ab…EF" }), "application/json");
    expect(JSON.parse(json)).toEqual({ Key_Text: REDACTED, nested: [{ password_text: REDACTED }], Key_Hint: "ab…EF" });
    const form = redactText(`KEY_TEXT=${K}&Password-Text=hunter2hunter2&User_Name=zed`, "application/x-www-form-urlencoded; charset=utf-8");
    expect(new URLSearchParams(form).get("KEY_TEXT")).toBe(REDACTED);
    expect(new URLSearchParams(form).get("Password-Text")).toBe(REDACTED);
    expect(new URLSearchParams(form).get("User_Name")).toBe("zed");
  });

  it("matches every listed name whatever its case and separators, and leaves look-alikes alone", () => {
    for (const name of SECRET_FIELD_NAMES) {
      for (const spelling of [name, name.toUpperCase(), `_${name}`, name.replace(/(.)(.)/, "$1-$2")]) expect(isSecretName(spelling), spelling).toBe(true);
    }
    for (const name of ["Key_Hint", "Key_Name", "ApiKey_Id", "keys", "tokens", "User_Name", "Feed_Name", "passive"])
      expect(isSecretName(name), name).toBe(false);
  });

  it("never lets a secret-named field through, for any shape", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("key", "API_Key", "Key_Text", "password", "Password_Text", "token", "_authToken"), (v, name) => {
        const out = JSON.stringify(redactValue({ wrap: [v, { [name]: "SECRET-VALUE-123" }] }));
        expect(out).not.toContain("SECRET-VALUE-123");
      }),
    );
  });
});
