// Regenerate with the old value kept working (docs/presenting-keys.md, "Rotation with
// overlap"): the owner chooses "1 day" in the confirmation, both values then work on a
// feed, the old one with the replaced-key warning, and the list says until when. An
// administrator gives a system key a new value the same way in Admin › API keys › Edit.
import { randomBytes } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, GENERATED_KEY, INVALID_KEY_MESSAGE, pageHeading, tableCell, test } from "../fixtures";

const RUN = randomBytes(3).toString("hex");
const FEED_INDEX = "/nuget/nuget/v3/index.json";
const DAY = 86_400_000;

type TrpcAnswer<T> = { result: { data: T } };

async function mutate(request: APIRequestContext, procedure: string, input: unknown): Promise<{ key: { id: number }; value: string }> {
  const me = (await (await request.get("/trpc/auth.me")).json()) as TrpcAnswer<{ csrfToken: string }>;
  const response = await request.post(`/trpc/${procedure}`, { headers: { "x-csrf-token": me.result.data.csrfToken }, data: input });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as TrpcAnswer<{ key: { id: number }; value: string }>).result.data;
}

const createKey = (request: APIRequestContext, name: string) => mutate(request, "keys.create", { name, expiresInDays: 30, scopes: ["push"], glob: "*" });

/** The Native API's Feeds_GetFeeds with the key in X-ApiKey. */
async function nativeRead(request: APIRequestContext, key: string) {
  const response = await request.get("/api/json/Feeds_GetFeeds", { headers: { "X-ApiKey": key } });
  return { status: response.status(), body: await response.text(), warning: response.headers()["x-keyhouse-warning"] ?? null };
}

/** "… stops working on DATE.": the date, checked to be a day after `before` (give or take the test's own time). */
function replacedUntil(warning: string | null, before: number): number {
  const stated = /^This API key was replaced; the old value stops working on (\S+Z)\.$/.exec(warning ?? "");
  expect(stated, warning ?? "no warning").not.toBeNull();
  const until = new Date(stated![1]!).getTime();
  expect(until).toBeGreaterThanOrEqual(before + DAY - 60_000);
  expect(until).toBeLessThanOrEqual(Date.now() + DAY);
  return until;
}

async function feedRead(request: APIRequestContext, key: string) {
  const response = await request.get(FEED_INDEX, { headers: { "X-NuGet-ApiKey": key } });
  return { status: response.status(), body: await response.text(), warning: response.headers()["x-nuget-warning"] ?? null };
}

function keyRow(page: Page, name: string) {
  const table = page.getByRole("region", { name: "Your API keys" }).getByRole("table");
  return { table, row: table.getByRole("row").filter({ has: page.getByRole("rowheader").filter({ hasText: name }) }) };
}

test("Regenerate keeps the old value working for 1 day, with a warning and a badge", async ({ page, signInAs }) => {
  await signInAs("alice");
  const keyName = `Rotated ${RUN}`;
  const made = await createKey(page.request, keyName);

  await page.goto("/account/api-keys");
  await expect(pageHeading(page, "API keys")).toBeVisible();
  const { table, row } = keyRow(page, keyName);
  await row.getByRole("button", { name: `Regenerate “${keyName}”`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Regenerate “${keyName}”?` });
  const keep = dialog.getByLabel("Keep the old value working for", { exact: true });
  await expect(keep.getByRole("option", { selected: true })).toHaveText("No");
  await expect(keep.getByRole("option")).toHaveText(["No", "1 hour", "1 day", "7 days"]);
  await keep.selectOption({ label: "1 day" });
  const before = Date.now();
  await dialog.getByRole("button", { name: "Regenerate key", exact: true }).click();
  await expect(dialog).toBeHidden();

  const value = page.getByRole("textbox", { name: "Your new API key", exact: true });
  await expect(value).toHaveValue(GENERATED_KEY);
  const second = await value.inputValue();
  expect(second).not.toBe(made.value);

  // Both values work; the old one says when it stops, a day from now.
  const old = await feedRead(page.request, made.value);
  expect(old.status, old.body).toBe(200);
  replacedUntil(old.warning, before);
  const fresh = await feedRead(page.request, second);
  expect(fresh.status, fresh.body).toBe(200);
  expect(fresh.warning).toBeNull();

  await page
    .getByRole("button", { name: "Done", exact: true })
    .or(page.getByRole("link", { name: "Done", exact: true }))
    .click();
  const status = await tableCell(table, row, "Status");
  await expect(status).toContainText("Old value works until");

  // Revoking ends both values at once, and the badge goes.
  await row.getByRole("button", { name: `Revoke “${keyName}”`, exact: true }).click();
  const revoke = page.getByRole("dialog", { name: `Revoke “${keyName}”?` });
  await revoke.getByRole("button", { name: "Revoke key", exact: true }).click();
  await expect(revoke).toBeHidden();
  await expect(status).not.toContainText("Old value works until");
  for (const key of [made.value, second]) {
    const refused = await feedRead(page.request, key);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: INVALID_KEY_MESSAGE });
  }
});

test("Admin › API keys: a new system-key value keeps the old one working for 1 day on the Native API, with a warning and a badge", async ({
  page,
  signInAs,
}) => {
  await signInAs("admin");
  const description = `Rotated system key ${RUN}`;
  const made = await mutate(page.request, "adminKeys.create", { keyMode: "generate", description, apis: ["native"], feeds: [] });
  expect((await nativeRead(page.request, made.value)).status).toBe(200);

  await page.goto("/admin/api-keys");
  await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
  const table = page.getByRole("region", { name: "API keys", exact: true }).getByRole("table");
  const row = table.getByRole("row").filter({ hasText: description });
  await row.getByRole("button", { name: `Edit ${description}`, exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "Edit system key" })).toBeVisible();
  // Keeping the current value leaves nothing to overlap; a new one asks how long the old one lasts.
  const keep = dialog.getByLabel("Keep the old value working for", { exact: true });
  await expect(keep).toHaveCount(0);
  await dialog.getByRole("radio", { name: "Generate a key", exact: true }).check();
  await expect(keep.getByRole("option", { selected: true })).toHaveText("No");
  await expect(keep.getByRole("option")).toHaveText(["No", "1 hour", "1 day", "7 days"]);
  await keep.selectOption({ label: "1 day" });
  const before = Date.now();
  await dialog.getByRole("button", { name: "Save changes", exact: true }).click();

  await expect(dialog.getByRole("heading", { name: `New value for “${description}”` })).toBeVisible();
  const value = dialog.getByRole("textbox", { name: "New API key", exact: true });
  await expect(value).toHaveValue(GENERATED_KEY);
  const second = await value.inputValue();
  expect(second).not.toBe(made.value);

  // Both values work on the Native API; the old one says when it stops, a day from now.
  const old = await nativeRead(page.request, made.value);
  expect(old.status, old.body).toBe(200);
  replacedUntil(old.warning, before);
  const fresh = await nativeRead(page.request, second);
  expect(fresh.status, fresh.body).toBe(200);
  expect(fresh.warning).toBeNull();

  await dialog.getByRole("button", { name: "Done", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(await tableCell(table, row, "Status")).toContainText("Old value works until");
});
