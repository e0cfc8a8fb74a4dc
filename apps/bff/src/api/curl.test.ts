// A script's view: list, create and delete keys with nothing but the real curl binary,
// against the real server, through both the management API and the Native API.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiWorld, type ApiWorld } from "./test-world.ts";

const run = promisify(execFile);

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

/** Runs curl and answers its HTTP status and body (the status is written after a newline by -w). */
// biome-ignore lint/suspicious/noExplicitAny: the answers are any JSON the assertions look into
async function curl(...args: string[]): Promise<{ status: number; body: any }> {
  const { stdout } = await run("curl", ["--silent", "--show-error", "--write-out", "\n%{http_code}", ...args], { timeout: 20_000 });
  const cut = stdout.lastIndexOf("\n");
  const text = stdout.slice(0, cut);
  return { status: Number(stdout.slice(cut + 1)), body: text ? JSON.parse(text) : null };
}

describe("curl only", () => {
  it("lists, creates and deletes keys", async () => {
    const base = w.server.url;
    const admin = w.keys.apiKeyUser.value;

    // No key: 401 naming the accepted ways.
    const none = await curl(`${base}/api/api-keys/list`);
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/X-ApiKey header/);

    // List with the X-ApiKey header.
    const before = await curl("-H", `X-ApiKey: ${admin}`, `${base}/api/api-keys/list`);
    expect(before.status).toBe(200);
    const count = before.body.length;

    // Create through the management API with a JSON body.
    const created = await curl(
      "-X",
      "POST",
      "-H",
      `X-ApiKey: ${admin}`,
      "-H",
      "Content-Type: application/json",
      "--data",
      JSON.stringify({ type: "system", systemApis: ["native"], displayName: "made by curl", expiration: "2099-12-31" }),
      `${base}/api/api-keys/create`,
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ type: "system", displayName: "made by curl", systemApis: ["native"] });
    const newKey: string = created.body.key;
    expect(newKey).toMatch(/^khk_/);

    // The new key works, presented as an API_Key JSON property.
    const feeds = await curl("-H", "Content-Type: application/json", "--data", JSON.stringify({ API_Key: newKey }), `${base}/api/json/Feeds_GetFeeds`);
    expect(feeds.status).toBe(200);
    expect(feeds.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toContain("nuget");

    // Create through the Native API with a form (curl -d sends application/x-www-form-urlencoded).
    const native = await curl(
      "-d",
      `key=${newKey}`,
      "-d",
      "Systems_Apis_Csv=feeds",
      "-d",
      "Key_Name=curl form key",
      `${base}/api/json/ApiKeys_CreateOrUpdateApiKey`,
    );
    expect(native.status).toBe(200);
    expect(native.body[0]).toMatchObject({ Key_Name: "curl form key", Systems_Apis_Csv: "feeds" });
    expect(native.body[0].Key_Text).toMatch(/^khk_/);
    const formKeyId: number = native.body[0].ApiKey_Id;

    // List through the Native API with the key in the query string: both new keys, no values.
    const listed = await curl(`${base}/api/json/ApiKeys_GetApiKeys?key=${encodeURIComponent(admin)}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(count + 2);
    expect(JSON.stringify(listed.body)).not.toContain(newKey);
    expect(JSON.stringify(listed.body)).not.toContain(native.body[0].Key_Text);

    // Delete one with the management API (POST, key in the query), one with the Native API (GET).
    const del = await curl("-X", "POST", `${base}/api/api-keys/delete?id=${created.body.id}&key=${encodeURIComponent(admin)}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: created.body.id, deleted: true });
    const del2 = await curl("-G", "-H", `X-ApiKey: ${admin}`, "--data-urlencode", `ApiKey_Id=${formKeyId}`, `${base}/api/json/ApiKeys_DeleteApiKey`);
    expect(del2.status).toBe(200);
    expect(del2.body).toEqual([]);

    // Deleting again: 404; the deleted key no longer works.
    const again = await curl("-X", "DELETE", "-H", `X-ApiKey: ${admin}`, `${base}/api/api-keys/delete?id=${created.body.id}`);
    expect(again.status).toBe(404);
    const gone = await curl("-H", `X-ApiKey: ${newKey}`, `${base}/api/json/Feeds_GetFeeds`);
    expect(gone.status).toBe(403);

    const after = await curl("-H", `X-ApiKey: ${admin}`, `${base}/api/api-keys/list`);
    expect(after.body).toHaveLength(count);
  });
});
