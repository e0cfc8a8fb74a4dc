import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { findPresentedKey, type KeyCarrier, type Surface } from "./present-key.ts";

const K = "khk_first-key-value-000000000000";
const K2 = "khk_second-key-value-11111111111";
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const api: Surface = { kind: "api" };
const req = (r: Partial<KeyCarrier>): KeyCarrier => ({ headers: {}, query: {}, body: undefined, ...r });

describe("findPresentedKey on the Native and management APIs", () => {
  it.each<[string, KeyCarrier]>([
    ["X-ApiKey header", req({ headers: { "x-apikey": K } })],
    ["key query parameter", req({ query: { key: K } })],
    ["key form field", req({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: { key: K } })],
    ["API_Key JSON property", req({ headers: { "content-type": "application/json; charset=utf-8" }, body: { API_Key: K } })],
  ])("accepts the %s", (_, r) => {
    expect(findPresentedKey(r, api)?.value).toBe(K);
  });

  it.each<[string, KeyCarrier]>([
    ["a key form field sent as JSON", req({ headers: { "content-type": "application/json" }, body: { key: K } })],
    ["API_Key sent as a form", req({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: { API_Key: K } })],
    ["API_Key sent as text/plain", req({ headers: { "content-type": "text/plain" }, body: { API_Key: K } })],
    ["a key form field with multipart", req({ headers: { "content-type": "multipart/form-data" }, body: { key: K } })],
    ["API_Key nested below the root", req({ headers: { "content-type": "application/json" }, body: { x: { API_Key: K } } })],
    ["API_Key inherited through __proto__", req({ headers: { "content-type": "application/json" }, body: JSON.parse(`{"__proto__": {"API_Key": "${K}"}}`) })],
    ["a Bearer token", req({ headers: { authorization: `Bearer ${K}` } })],
    ["an X-NuGet-ApiKey header", req({ headers: { "x-nuget-apikey": K } })],
    ["a non-string key", req({ query: { key: [K, K] } })],
  ])("ignores %s", (_, r) => {
    expect(findPresentedKey(r, api)).toBeNull();
  });

  it("refuses two different keys with 400 naming both places", () => {
    try {
      findPresentedKey(req({ headers: { "x-apikey": K }, query: { key: K2 } }), api);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).status).toBe(400);
      expect((e as AppError).message).toBe(
        "The request presents two different API keys (in the X-ApiKey header and the key query parameter). Send exactly one key.",
      );
    }
  });

  it("accepts the same key twice", () => {
    expect(findPresentedKey(req({ headers: { "x-apikey": K }, query: { key: K } }), api)?.value).toBe(K);
  });
});

describe("findPresentedKey on the feeds", () => {
  const nugetPush: Surface = { kind: "feed", feed: "nuget", read: false };
  const nugetRead: Surface = { kind: "feed", feed: "nuget", read: true };
  const npm: Surface = { kind: "feed", feed: "npm", read: false };
  const gemPush: Surface = { kind: "feed", feed: "rubygems", read: false };
  const gemRead: Surface = { kind: "feed", feed: "rubygems", read: true };

  it("NuGet: X-NuGet-ApiKey, and Basic api:KEY only on reads", () => {
    expect(findPresentedKey(req({ headers: { "x-nuget-apikey": K } }), nugetPush)?.value).toBe(K);
    expect(findPresentedKey(req({ headers: { authorization: basic("api", K) } }), nugetRead)?.value).toBe(K);
    expect(findPresentedKey(req({ headers: { authorization: basic("api", K) } }), nugetPush)).toBeNull();
    expect(findPresentedKey(req({ headers: { authorization: basic("alice", K) } }), nugetRead)).toBeNull();
    expect(findPresentedKey(req({ headers: { "x-apikey": K } }), nugetPush)).toBeNull();
  });

  it("npm: Bearer or Basic", () => {
    expect(findPresentedKey(req({ headers: { authorization: `Bearer ${K}` } }), npm)?.value).toBe(K);
    expect(findPresentedKey(req({ headers: { authorization: basic("anyone", K) } }), npm)?.value).toBe(K);
    expect(findPresentedKey(req({ headers: { "x-nuget-apikey": K } }), npm)).toBeNull();
  });

  it("RubyGems: a bare Authorization header, and Basic api:KEY on reads", () => {
    expect(findPresentedKey(req({ headers: { authorization: K } }), gemPush)?.value).toBe(K);
    expect(findPresentedKey(req({ headers: { authorization: `Bearer ${K}` } }), gemPush)).toBeNull();
    expect(findPresentedKey(req({ headers: { authorization: basic("api", K) } }), gemRead)?.value).toBe(K);
  });

  it("refuses two different keys on a feed", () => {
    expect(() => findPresentedKey(req({ headers: { "x-nuget-apikey": K, authorization: basic("api", K2) } }), nugetRead)).toThrow(/two different API keys/);
  });
});
