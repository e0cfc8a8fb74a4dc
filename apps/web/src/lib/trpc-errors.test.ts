import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { errorMessage, fieldErrorsOf, formErrorOf, isUnauthorized, shouldRetry } from "./trpc-errors";

function serverError(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message, code: -32600, data } });
}

const unauthorized = serverError("The user name or password is incorrect.", { code: "UNAUTHORIZED", httpStatus: 401 });
const throttled = serverError("Too many failed sign-in attempts from your address. Try again in 5 minutes.", {
  code: "TOO_MANY_REQUESTS",
  httpStatus: 429,
  retryAfterSeconds: 300,
});
const invalid = serverError("Enter your user name.", {
  code: "BAD_REQUEST",
  httpStatus: 400,
  fieldErrors: { username: "Enter your user name." },
});
const serverFailure = serverError("Something went wrong on the server. Try again.", { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 });
const network = TRPCClientError.from(new TypeError("Failed to fetch"));

describe("shouldRetry", () => {
  it("never retries 4xx answers", () => {
    for (const error of [unauthorized, throttled, invalid]) expect(shouldRetry(0, error)).toBe(false);
  });

  it("retries server and network failures twice", () => {
    for (const error of [serverFailure, network, new Error("boom")]) {
      expect(shouldRetry(0, error)).toBe(true);
      expect(shouldRetry(1, error)).toBe(true);
      expect(shouldRetry(2, error)).toBe(false);
    }
  });
});

describe("error helpers", () => {
  it("shows the server's message", () => {
    expect(errorMessage(unauthorized)).toBe("The user name or password is incorrect.");
    expect(errorMessage(throttled)).toMatch(/^Too many failed sign-in attempts/);
  });

  it("explains a request that never reached the server", () => {
    expect(errorMessage(network)).toMatch(/Could not reach the server/);
  });

  it("reads field errors and the UNAUTHORIZED code", () => {
    expect(fieldErrorsOf(invalid)).toEqual({ username: "Enter your user name." });
    expect(fieldErrorsOf(unauthorized)).toEqual({});
    expect(isUnauthorized(unauthorized)).toBe(true);
    expect(isUnauthorized(throttled)).toBe(false);
    expect(isUnauthorized(new Error("x"))).toBe(false);
  });
});

describe("formErrorOf", () => {
  const collect = (error: unknown, fields: readonly string[]) => {
    const onFields: [string, string][] = [];
    const above = formErrorOf(error, fields, (field, message) => onFields.push([field, message]));
    return { above, onFields };
  };

  it("puts a field's error on that field and nothing above the form", () => {
    expect(collect(invalid, ["username", "password"])).toEqual({ above: null, onFields: [["username", "Enter your user name."]] });
  });

  it("says the whole message above the form when no known field is named", () => {
    expect(collect(invalid, ["name"])).toEqual({ above: "Enter your user name.", onFields: [] });
    expect(collect(unauthorized, ["username", "password"])).toEqual({ above: "The user name or password is incorrect.", onFields: [] });
    expect(collect(network, ["username"]).above).toBe("Could not reach the server. Check your connection and try again.");
  });
});
