import { afterEach, describe, expect, it } from "vitest";
import { ANONYMOUS_CSRF_TOKEN, CSRF_HEADER, csrfHeaders, getCsrfToken, setCsrfToken } from "./csrf";

describe("csrfHeaders", () => {
  afterEach(() => setCsrfToken(null));

  it("adds nothing to queries", () => {
    expect(csrfHeaders([{ type: "query", path: "auth.me" }], "tok")).toEqual({});
  });

  it("sends the session token on mutations", () => {
    expect(csrfHeaders([{ type: "mutation", path: "auth.logout" }], "tok")).toEqual({ [CSRF_HEADER]: "tok" });
  });

  it("sends the anonymous marker when signing in, even with a token from an older session", () => {
    expect(csrfHeaders([{ type: "mutation", path: "auth.login" }], "old")).toEqual({ [CSRF_HEADER]: ANONYMOUS_CSRF_TOKEN });
  });

  it("sends the anonymous marker when there is no session yet", () => {
    expect(csrfHeaders([{ type: "mutation", path: "keys.create" }], null)).toEqual({ [CSRF_HEADER]: ANONYMOUS_CSRF_TOKEN });
  });

  it("uses the session token when a batch mixes sign-in with other mutations", () => {
    const ops = [
      { type: "mutation", path: "auth.login" },
      { type: "mutation", path: "keys.revoke" },
    ] as const;
    expect(csrfHeaders(ops, "tok")).toEqual({ [CSRF_HEADER]: "tok" });
  });

  it("reads the token kept in memory by default", () => {
    setCsrfToken("from-me");
    expect(getCsrfToken()).toBe("from-me");
    expect(csrfHeaders([{ type: "mutation", path: "auth.logout" }])).toEqual({ [CSRF_HEADER]: "from-me" });
  });
});
