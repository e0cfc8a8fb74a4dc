// The operator screens' rough edges, smoothed (docs/access-logs.md, docs/authorization.md):
// Admin › Access logs picks a key by name; the admin grid shows key ids; a system key
// needs a description; an admin changes a user's scoped key's expiry and packages and the
// save confirms; "Save packages" confirms; the account key list works on a phone.
import { randomBytes } from "node:crypto";
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import { DEMO_PASSWORD, expect, pageHeading, test, waitForAccessLog, type DemoUser } from "../fixtures";

const RUN = randomBytes(3).toString("hex");
type TrpcAnswer<T> = { result: { data: T } };
type Client = { api: APIRequestContext; csrf: string };
type KeyView = { id: number; name: string; hint: string; packages: string[]; globs: string[]; expiryDays: number | null; expiresAt: string | null };

/** A signed-in API client of its own (cookies apart from the page). */
async function apiAs(baseURL: string, username: DemoUser, address: string): Promise<Client> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": address } });
  const login = await api.post("/trpc/auth.login", { headers: { "x-csrf-token": "anonymous" }, data: { username, password: DEMO_PASSWORD } });
  expect(login.status(), await login.text()).toBe(200);
  const me = (await (await api.get("/trpc/auth.me")).json()) as TrpcAnswer<{ csrfToken: string }>;
  return { api, csrf: me.result.data.csrfToken };
}

async function mutate<T>(client: Client, path: string, data: unknown): Promise<T> {
  const response = await client.api.post(`/trpc/${path}`, { headers: { "x-csrf-token": client.csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as TrpcAnswer<T>).result.data;
}

async function ownKeys(client: Client): Promise<KeyView[]> {
  return ((await (await client.api.get("/trpc/keys.list")).json()) as TrpcAnswer<KeyView[]>).result.data;
}

test.describe("Operator screens", () => {
  test("Admin › Access logs filters by a key picked by its name; the URL keeps its id", async ({ page, baseURL, signInAs }) => {
    const alice = await apiAs(baseURL!, "alice", "198.51.100.41");
    const name = `Picker ${RUN}`;
    const made = await mutate<{ key: KeyView; value: string }>(alice, "keys.create", { name, expiresInDays: 30, scopes: ["push"], glob: "*" });
    const used = await alice.api.get("/nuget/nuget/v3/index.json", { headers: { "X-NuGet-ApiKey": made.value } });
    expect(used.status()).toBe(200);

    await signInAs("admin");
    await waitForAccessLog(page, made.key.id, 1);
    await page.goto("/admin/access-logs");
    const filters = page.getByRole("search", { name: "Filter entries" });
    const picker = filters.getByRole("combobox", { name: "Key", exact: true });
    await picker.fill(`Picker ${RUN}`);
    const option = page.getByRole("option", {
      name: new RegExp(`^${name} \\(${made.key.hint.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) · ID ${made.key.id} · alice$`),
    });
    await expect(option).toBeVisible();
    await option.click();
    await expect(page).toHaveURL((url) => url.searchParams.get("key") === String(made.key.id));
    await expect(picker).toHaveValue(`${name} (${made.key.hint})`);
    const entries = page.getByRole("main").getByRole("table");
    await expect(entries.getByRole("row").filter({ hasText: name }).first()).toBeVisible();

    // A typed id works too, and an emptied box clears the filter.
    await picker.fill(String(made.key.id));
    await picker.press("Enter");
    await expect(page).toHaveURL((url) => url.searchParams.get("key") === String(made.key.id));
    await picker.fill("");
    await picker.press("Enter");
    await expect(page).toHaveURL((url) => !url.searchParams.has("key"));
    await alice.api.dispose();
  });

  test("Create system key requires a description; the grid shows each key's id", async ({ page, signInAs }) => {
    await signInAs("admin");
    await page.goto("/admin/api-keys");
    await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
    await page.getByRole("button", { name: "Create system key", exact: true }).click();
    const dialog = page.getByRole("dialog");
    const description = dialog.getByLabel("Description", { exact: true });
    await dialog.getByRole("button", { name: "Create key", exact: true }).click();
    await expect(dialog.getByText("A description is required.", { exact: true })).toBeVisible();
    await expect(description).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByRole("heading", { name: /created$/ })).toHaveCount(0);

    const name = `Described ${RUN}`;
    await description.fill(name);
    await dialog.getByRole("button", { name: "Create key", exact: true }).click();
    await expect(dialog.getByRole("heading", { name: `System key “${name}” created` })).toBeVisible();
    await dialog.getByRole("button", { name: "Done", exact: true }).click();
    const listed = (await (await page.request.get(`/trpc/adminKeys.list?input=${encodeURIComponent(JSON.stringify({ text: name }))}`)).json()) as TrpcAnswer<{
      rows: KeyView[];
    }>;
    const id = listed.result.data.rows[0]!.id;
    await page.goto(`/admin/api-keys?text=${encodeURIComponent(name)}`);
    await expect(page.getByRole("table").getByRole("row").filter({ hasText: name })).toContainText(`ID ${id}`);
  });

  test("an admin changes a user's scoped key's expiry and packages; the save confirms and alice is told", async ({ page, baseURL, signInAs }) => {
    const alice = await apiAs(baseURL!, "alice", "198.51.100.42");
    const name = `Admin edits ${RUN}`;
    const made = await mutate<{ key: KeyView }>(alice, "keys.create", { name, expiresInDays: 1, scopes: ["push"], glob: "Contoso.*" });

    await signInAs("admin");
    await page.goto(`/admin/api-keys?text=${encodeURIComponent(name)}`);
    await page.getByRole("button", { name: `Edit ${name}`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Edit “${name}”` });
    await dialog.getByLabel("Expires in", { exact: true }).selectOption({ label: "90 days from today" });
    await dialog.getByLabel("Packages", { exact: true }).fill("Contoso.Core\nContoso.Web");
    await dialog.getByLabel("Glob pattern", { exact: true }).fill("");
    await dialog.getByRole("button", { name: "Save changes", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: `Saved the changes to “${name}”. alice has been notified.` })).toBeVisible();

    const after = (await ownKeys(alice)).find((k) => k.id === made.key.id)!;
    expect(after).toMatchObject({ packages: ["Contoso.Core", "Contoso.Web"], globs: [], expiryDays: 90 });
    expect(new Date(after.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 89 * 24 * 3600 * 1000);

    // A package alice does not own is refused with a message, and nothing changes.
    await page.getByRole("button", { name: `Edit ${name}`, exact: true }).click();
    await dialog.getByLabel("Packages", { exact: true }).fill("Not.Hers");
    await dialog.getByRole("button", { name: "Save changes", exact: true }).click();
    await expect(dialog.getByRole("alert")).toContainText('"Not.Hers"');
    await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    expect((await ownKeys(alice)).find((k) => k.id === made.key.id)!.packages).toEqual(["Contoso.Core", "Contoso.Web"]);
    await alice.api.dispose();
  });

  test("Save packages confirms on the key list", async ({ page, baseURL, signInAs }) => {
    const alice = await apiAs(baseURL!, "alice", "198.51.100.43");
    const name = `Saves ${RUN}`;
    const made = await mutate<{ key: KeyView }>(alice, "keys.create", { name, expiresInDays: 30, scopes: ["push"], glob: "Contoso.*" });
    await alice.api.dispose();
    await signInAs("alice");
    await page.goto(`/account/api-keys/${made.key.id}/edit`);
    await page.getByRole("button", { name: "Save packages", exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expect(page.getByRole("status").filter({ hasText: `Saved the packages of “${name}”.` })).toBeVisible();
  });

  test.describe("on a phone", () => {
    test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

    test("the account key list fits 390 px with every action reachable", async ({ page, baseURL, signInAs }, testInfo) => {
      // The widest a key can make a card: a 64-character name and a 128-character glob, neither with a space.
      const alice = await apiAs(baseURL!, "alice", "198.51.100.44");
      await mutate(alice, "keys.create", { name: `Phone${RUN}`.padEnd(64, "W"), expiresInDays: 30, scopes: ["push"], glob: `Contoso.${"Ww".repeat(58)}*` });
      await alice.api.dispose();
      await signInAs("alice");
      await page.goto("/account/api-keys");
      await expect(pageHeading(page, "API keys")).toBeVisible();
      const cards = page.getByRole("list", { name: "Your API keys" });
      await expect(cards.getByRole("listitem").first()).toBeVisible();
      await page.screenshot({ path: testInfo.outputPath("account-keys-390.png"), fullPage: true });

      // No sideways scroll: the page is no wider than the screen.
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth }));
      expect(widths.doc, JSON.stringify(widths)).toBeLessThanOrEqual(widths.view);
      expect(widths.body, JSON.stringify(widths)).toBeLessThanOrEqual(widths.view);

      // Every action of every card is on screen horizontally.
      const buttons = cards.getByRole("button").or(cards.getByRole("link"));
      const count = await buttons.count();
      expect(count).toBeGreaterThan(0);
      for (let i = 0; i < count; i++) {
        const box = (await buttons.nth(i).boundingBox())!;
        expect(box.x, `action ${i}`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `action ${i} (${await buttons.nth(i).textContent()})`).toBeLessThanOrEqual(390);
      }

      // How to use opens, fits, and closes.
      await cards
        .getByRole("button", { name: /^How to use/ })
        .first()
        .click();
      const dialog = page.getByRole("dialog");
      await expect(dialog.getByRole("button", { name: "Copy .npmrc", exact: true })).toBeVisible();
      const box = (await dialog.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: testInfo.outputPath("how-to-use-390.png") });
      await dialog.getByRole("button", { name: "Close", exact: true }).click();
    });
  });
});
