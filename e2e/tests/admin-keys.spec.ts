// Admin › API keys (docs/presenting-keys.md, docs/authorization.md, docs/screens.md, ProGet's "API Keys"): an administrator makes a system
// key with a custom value for the Native and management APIs, a script then manages keys
// with it over HTTP (list, create, delete, the OpenAPI document), and revoking it in the
// grid shuts every one of those doors at once.
import { randomBytes } from "node:crypto";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import {
  expect,
  expectNotInDatabase,
  GENERATED_KEY,
  INVALID_KEY_MESSAGE,
  NAV,
  navLink,
  pageHeading,
  randomPartOf,
  REVEAL_WARNING,
  tableCell,
  test,
  waitForAccessLog,
} from "../fixtures";

/** Unique to this run: the custom value, and names, never collide with an earlier run's. */
const RUN = randomBytes(4).toString("hex");
const FEED_INDEX = "/nuget/nuget/v3/index.json";

type NativeKeyRow = {
  ApiKey_Id: number;
  Key_Name: string;
  ApiKey_Description: string | null;
  ApiKey_Kind: string;
  Key_Hint: string;
  User_Name: string | null;
  Systems_Apis_Csv: string;
  Feeds_Csv: string | null;
  Status_Text: string;
  Key_Text?: string;
};
type ApiKeyInfo = { id: number; type: string; key?: string; displayName: string; systemApis: string[]; user: string | null; hint: string; status: string };

function grid(page: Page): Locator {
  return page.getByRole("region", { name: "API keys", exact: true }).getByRole("table");
}

function gridRow(page: Page, name: string): Locator {
  return grid(page).getByRole("row").filter({ hasText: name });
}

async function gridCell(page: Page, name: string, column: string): Promise<Locator> {
  return tableCell(grid(page), gridRow(page, name), column);
}

/** The answer's body as JSON, failing with the body when the status is not `status`. */
async function json<T>(response: { status(): number; text(): Promise<string> }, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status(), text).toBe(status);
  return JSON.parse(text) as T;
}

async function expectInvalidKey(response: { status(): number; text(): Promise<string> }) {
  expect(await json(response, 403)).toEqual({ error: INVALID_KEY_MESSAGE });
}

/** ApiKeys_GetApiKeys with the key in the X-ApiKey header. */
function nativeList(request: APIRequestContext, key: string) {
  return request.get("/api/json/ApiKeys_GetApiKeys", { headers: { "X-ApiKey": key } });
}

test.describe("Admin › API keys", () => {
  test("a custom-valued system key manages keys over the Native and management APIs until it is revoked in the grid", async ({ page, request, signInAs }) => {
    test.slow();
    const customValue = `e2e-system-${RUN}-${randomBytes(12).toString("hex")}`; // 47 characters, none of them a space
    const description = `Key manager ${RUN}`;
    const scriptKeyName = `Feed reader ${RUN}`;
    expect(customValue.length).toBeGreaterThanOrEqual(20);

    await signInAs("admin");
    await page.goto("/account/api-keys");
    await navLink(page, NAV.adminKeys).click();
    await expect(pageHeading(page, "Admin › API keys")).toBeVisible();

    // Create system key: a custom value, the native and keys APIs, no user (the API key user).
    await page.getByRole("button", { name: "Create system key", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("heading", { name: "Create system key" })).toBeVisible();
    await dialog.getByRole("radio", { name: "Custom value", exact: true }).check();
    await dialog.getByLabel("Custom key value", { exact: true }).fill(customValue);
    await dialog.getByLabel("Description", { exact: true }).fill(description);
    const apis = dialog.getByRole("group", { name: "APIs" });
    await apis.getByRole("checkbox", { name: "feeds", exact: true }).uncheck();
    await apis.getByRole("checkbox", { name: "native", exact: true }).check();
    await apis.getByRole("checkbox", { name: "keys", exact: true }).check();
    const user = dialog.getByLabel("User", { exact: true });
    await expect(user).toHaveValue("");
    await expect(user.getByRole("option", { selected: true })).toHaveText("API key user (every privilege)");
    await dialog.getByRole("button", { name: "Create key", exact: true }).click();

    // The reveal shows the custom value, once.
    await expect(dialog.getByRole("heading", { name: `System key “${description}” created` })).toBeVisible();
    await expect(dialog.getByText(REVEAL_WARNING, { exact: true })).toBeVisible();
    await expect(dialog.getByRole("textbox", { name: "New API key", exact: true })).toHaveValue(customValue);
    await dialog.getByRole("button", { name: "Done", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: `Created the system key “${description}”.` })).toBeVisible();
    expect(await page.content()).not.toContain(customValue);
    expect(page.url()).not.toContain(customValue);

    // A script: the Native API with X-ApiKey lists every key, values never included.
    const listed = await json<NativeKeyRow[]>(await nativeList(request, customValue), 200);
    expect(Array.isArray(listed)).toBe(true);
    const mine = listed.find((row) => row.Key_Name === description);
    expect(mine, `the new key among ${listed.length} rows`).toMatchObject({
      ApiKey_Kind: "system",
      ApiKey_Description: description,
      User_Name: null,
      Systems_Apis_Csv: "native,keys",
      Status_Text: "Active",
    });
    expect(listed.some((row) => row.Key_Name === "Legacy API key")).toBe(true);
    expect(listed.every((row) => row.Key_Text === undefined)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(customValue);

    // It creates a system key for the feeds API (JSON body, the key as API_Key): the new value, once.
    const createdRows = await json<NativeKeyRow[]>(
      await request.post("/api/json/ApiKeys_CreateOrUpdateApiKey", {
        data: {
          API_Key: customValue,
          Key_Name: scriptKeyName,
          ApiKey_Description: "Made by a script in the e2e test",
          Systems_Apis_Csv: ["feeds"],
          Feeds_Csv: ["nuget"],
        },
      }),
      200,
    );
    expect(createdRows).toHaveLength(1);
    const scriptKey = createdRows[0]!;
    expect(scriptKey).toMatchObject({ Key_Name: scriptKeyName, ApiKey_Kind: "system", Systems_Apis_Csv: "feeds", Feeds_Csv: "nuget", User_Name: null });
    expect(scriptKey.Key_Text).toMatch(GENERATED_KEY);
    const scriptValue = scriptKey.Key_Text!;
    // That value works on the feed it is for...
    expect((await request.get(FEED_INDEX, { headers: { "X-NuGet-ApiKey": scriptValue } })).status()).toBe(200);
    // ...and is never answered again.
    const relisted = await json<NativeKeyRow[]>(await nativeList(request, customValue), 200);
    expect(relisted.find((row) => row.ApiKey_Id === scriptKey.ApiKey_Id)).toMatchObject({ Key_Name: scriptKeyName });
    expect(JSON.stringify(relisted)).not.toContain(scriptValue);

    // The management API, the key in the query string: both keys, in ProGet's ApiKeyInfo shape.
    const infos = await json<ApiKeyInfo[]>(await request.get(`/api/api-keys/list?key=${encodeURIComponent(customValue)}`), 200);
    const infoOf = (id: number) => infos.find((info) => info.id === id);
    expect(infoOf(mine!.ApiKey_Id)).toMatchObject({ type: "system", displayName: description, systemApis: ["native", "keys"], user: null, status: "Active" });
    expect(infoOf(scriptKey.ApiKey_Id)).toMatchObject({ type: "feed", displayName: scriptKeyName, systemApis: ["feeds"] });
    expect(infos.every((info) => info.key === undefined)).toBe(true);
    expect(JSON.stringify(infos)).not.toContain(customValue);
    expect(JSON.stringify(infos)).not.toContain(scriptValue);

    // Delete the script's key, the key as a form field.
    const deleted = await json<{ id: number; deleted: boolean }>(
      await request.post(`/api/api-keys/delete?id=${scriptKey.ApiKey_Id}`, { form: { key: customValue } }),
      200,
    );
    expect(deleted).toEqual({ id: scriptKey.ApiKey_Id, deleted: true });
    const afterDelete = await json<ApiKeyInfo[]>(await request.get("/api/api-keys/list", { headers: { "X-ApiKey": customValue } }), 200);
    expect(afterDelete.some((info) => info.id === scriptKey.ApiKey_Id)).toBe(false);
    expect(afterDelete.some((info) => info.id === mine!.ApiKey_Id)).toBe(true);
    await expectInvalidKey(await request.get(FEED_INDEX, { headers: { "X-NuGet-ApiKey": scriptValue } }));

    // The OpenAPI document describes these methods.
    const openapi = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(await request.get("/api/openapi.json"), 200);
    expect(openapi.openapi).toMatch(/^3\./);
    for (const path of [
      "/api/json/ApiKeys_GetApiKeys",
      "/api/json/ApiKeys_CreateOrUpdateApiKey",
      "/api/json/ApiKeys_DeleteApiKey",
      "/api/api-keys/create",
      "/api/api-keys/list",
      "/api/api-keys/delete",
    ]) {
      expect(Object.keys(openapi.paths), path).toContain(path);
    }
    expect(Object.keys(openapi.paths["/api/api-keys/delete"]!)).toContain("post");

    // Back in the grid: filter by kind "System" and find the key.
    await page.reload();
    await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
    const filters = page.getByRole("search", { name: "Filter API keys" });
    await filters.getByLabel("Kind", { exact: true }).selectOption({ label: "System" });
    await expect(page).toHaveURL((url) => url.searchParams.get("kind") === "system");
    await expect(gridRow(page, description)).toHaveCount(1);
    // Only system keys are listed now, and the deleted one is not among them.
    await expect(grid(page)).not.toHaveAttribute("aria-busy", "true");
    await expect(grid(page).getByRole("cell", { name: /^(Scoped|Legacy)$/ })).toHaveCount(0);
    await expect(await gridCell(page, description, "Kind")).toHaveText("System");
    await expect(gridRow(page, scriptKeyName)).toHaveCount(0);
    await expect(await gridCell(page, description, "Status")).toHaveText("Active");
    await expect(await gridCell(page, description, "APIs")).toHaveText("native, keys");
    await expect(await gridCell(page, description, "Owner")).toHaveText("—");
    expect(await page.content()).not.toContain(customValue);

    // Revoke it in the grid.
    await gridRow(page, description)
      .getByRole("button", { name: `Revoke ${description}`, exact: true })
      .click();
    const confirm = page.getByRole("dialog", { name: "Revoke API key" });
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText(description);
    await confirm.getByRole("button", { name: "Revoke key", exact: true }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: `Revoked “${description}”.` })).toBeVisible();
    await expect(await gridCell(page, description, "Status")).toHaveText("Revoked");
    await expect(gridRow(page, description).getByRole("button", { name: `Revoke ${description}` })).toHaveCount(0);

    // Every way of presenting it now gets the §4 refusal.
    await expectInvalidKey(await nativeList(request, customValue));
    await expectInvalidKey(await request.get(`/api/json/ApiKeys_GetApiKeys?key=${encodeURIComponent(customValue)}`));
    await expectInvalidKey(
      await request.post("/api/json/ApiKeys_CreateOrUpdateApiKey", {
        data: { API_Key: customValue, Key_Name: `Too late ${RUN}`, Systems_Apis_Csv: ["feeds"] },
      }),
    );
    await expectInvalidKey(await request.get(`/api/api-keys/list?key=${encodeURIComponent(customValue)}`));
    await expectInvalidKey(await request.post(`/api/api-keys/delete?id=${mine!.ApiKey_Id}`, { form: { key: customValue } }));
    // Nothing was made with it after the revocation.
    await page.reload();
    await filters.getByLabel("Kind", { exact: true }).selectOption({ label: "All kinds" });
    await expect(page).toHaveURL((url) => !url.searchParams.has("kind"));
    await expect(gridRow(page, description)).toHaveCount(1);
    await expect(gridRow(page, `Too late ${RUN}`)).toHaveCount(0);

    // Neither value (nor the generated one's random part) is in the database file, while
    // the names are; checked once the access log has written the 11 calls made with the
    // custom value (6 answered, 5 refused), one of them with the value in its query string.
    await waitForAccessLog(page, mine!.ApiKey_Id, 11);
    await expectNotInDatabase([customValue, scriptValue, randomPartOf(scriptValue)], { present: [description, scriptKeyName] });
  });
});
