import { updateSystemKeyInputSchema } from "@keyhouse/shared";
import { describe, expect, it } from "vitest";
import { actingUser, feedsText, firstExpiryDay, formatAgo, toDateInput, type AdminKeyRow } from "./format";
import { EMPTY_FORM, fieldOfError, formValuesOf } from "./form";

const key = (over: Partial<AdminKeyRow> = {}): AdminKeyRow =>
  ({
    id: 7,
    kind: "system",
    name: "CI mirror",
    description: "Mirrors npm",
    hint: "e2e-…0001",
    owner: null,
    user: { id: 2, username: "alice" },
    apis: ["feeds", "native"],
    scopes: ["push", "update", "unlist"],
    packages: [],
    globs: [],
    feeds: ["nuget"],
    allowedNetworks: ["198.51.100.0/24"],
    expiryDays: null,
    expiresAt: "2099-12-31T00:00:00.000Z",
    logRequestBody: true,
    logResponseBody: false,
    createdAt: "2026-01-01T00:00:00.000Z",
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
    revokedReason: null,
    status: { state: "active", label: "Active", daysLeft: null },
    ...over,
  }) as unknown as AdminKeyRow;

describe("formValuesOf", () => {
  it("starts an edit from the key, keeping its value, and the schema accepts it unchanged", () => {
    const values = formValuesOf(key());
    expect(values).toEqual({
      id: 7,
      keyMode: "keep",
      customKey: "",
      description: "Mirrors npm",
      apis: ["feeds", "native"],
      user: "alice",
      feeds: ["nuget"],
      allowedNetworks: ["198.51.100.0/24"],
      logRequestBody: true,
      logResponseBody: false,
      expiresAt: "2099-12-31",
    });
    expect(updateSystemKeyInputSchema.parse(values)).toMatchObject({
      id: 7,
      keyMode: "keep",
      customKey: undefined,
      user: "alice",
      allowedNetworks: ["198.51.100.0/24"],
      expiresAt: new Date("2099-12-31T00:00:00.000Z"),
    });
  });

  it("maps the API key user, all feeds and never-expiring to empty fields", () => {
    const values = formValuesOf(key({ user: null, feeds: null, expiresAt: null, description: null }));
    expect(values).toMatchObject({ user: "", feeds: [], expiresAt: "", description: "" });
    expect(updateSystemKeyInputSchema.parse(values)).toMatchObject({ user: undefined, feeds: [], expiresAt: null, description: undefined });
  });

  it("the empty create form is valid as it stands (generate, feeds API)", () => {
    expect(updateSystemKeyInputSchema.parse({ ...EMPTY_FORM, id: 1 })).toMatchObject({ keyMode: "generate", apis: ["feeds"], expiresAt: null });
  });
});

describe("fieldOfError", () => {
  it("uses the validation path, else the words of the refusal", () => {
    expect(fieldOfError("A custom key must be at least 20 characters.", { customKey: "A custom key must be at least 20 characters." })).toBe("customKey");
    expect(fieldOfError("Unknown API", { "apis.0": "Unknown API" })).toBe("apis");
    expect(fieldOfError("That key value is already in use. Choose another value, or let Keyhouse generate one.", {})).toBe("customKey");
    expect(fieldOfError('There is no user named "Alice" (user names match exactly).', {})).toBe("user");
    expect(fieldOfError('There is no feed named "pypi".', {})).toBe("feeds");
    expect(fieldOfError("198.51.100.7/33 is not a network", { allowedNetworks: "198.51.100.7/33 is not a network" })).toBe("allowedNetworks");
    expect(fieldOfError("198.51.100.7/33 is not a network", {})).toBe("allowedNetworks");
    expect(fieldOfError("The expiry must be in the future.", {})).toBe("expiresAt");
    expect(fieldOfError("No API key with ID 5 was found.", {})).toBeNull();
    expect(fieldOfError("Could not reach the server. Check your connection and try again.", {})).toBeNull();
  });
});

describe("format", () => {
  it("names who a key acts as", () => {
    expect(actingUser(key())).toEqual({ text: "alice", muted: false });
    expect(actingUser(key({ user: null }))).toEqual({ text: "API key user", muted: true });
    expect(actingUser(key({ kind: "scoped", user: null, owner: { id: 3, username: "bob" } }))).toEqual({ text: "Its owner", muted: true });
  });

  it("says All for unrestricted feeds", () => {
    expect(feedsText(null)).toBe("All");
    expect(feedsText(["nuget", "npm"])).toBe("nuget, npm");
  });

  it("turns stored expiries into date-box values and back to the same day (UTC)", () => {
    expect(toDateInput("2027-12-31T00:00:00.000Z")).toBe("2027-12-31");
    expect(toDateInput("2027-12-31T23:30:00.000Z")).toBe("2027-12-31");
    expect(toDateInput(null)).toBe("");
    expect(firstExpiryDay(Date.parse("2030-06-15T23:59:00Z"))).toBe("2030-06-16");
  });

  it("says how long ago", () => {
    const now = Date.parse("2030-06-15T12:00:00Z");
    expect(formatAgo("2030-06-15T11:59:30Z", now)).toBe("just now");
    expect(formatAgo("2030-06-15T11:00:00Z", now)).toBe("1 hour ago");
    expect(formatAgo("2030-06-12T12:00:00Z", now)).toBe("3 days ago");
    expect(formatAgo("2030-01-01T00:00:00Z", now)).toBe("Jan 1, 2030");
  });
});
