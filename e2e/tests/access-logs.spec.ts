// The access-log viewer (docs/screens.md "Admin › Access logs", docs/access-logs.md): admins see every entry,
// failed attempts included; everyone sees their own keys' entries under Account › Access
// logs; filters live in the URL; a detail panel shows every field and the logged bodies.
// Traffic is made here with keyed requests against the NuGet feed, each marked with a
// query string unique to this run so the assertions see only these entries.
import { randomBytes } from "node:crypto";
import { request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, mainNav, navLink, NAV, pageHeading, test, type DemoUser } from "../fixtures";

const ACCOUNT_LOGS = "Account › Access logs";
const INDEX = "/nuget/nuget/v3/index.json";

/** Unique to this run: every request below carries it in its query string. */
const MARK = `e2e${randomBytes(4).toString("hex")}`;
const ALICE_KEY = `Logs alice ${MARK}`;
const BOB_KEY = `Logs bob ${MARK}`;
const SYSTEM_KEY = `Logs system ${MARK}`;
const USER_AGENT = `NuGet Command Line/6.9.1 (${MARK})`;

type Seeded = { aliceKeyId: number; aliceKey: string; aliceEntryId: number };
let seeded: Seeded;

type TrpcAnswer<T> = { result: { data: T } };

/** A signed-in API client of its own (cookies apart from any page), from its own address. */
async function apiAs(baseURL: string, username: DemoUser, address: string): Promise<{ api: APIRequestContext; csrf: string }> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": address } });
  const login = await api.post("/trpc/auth.login", { headers: { "x-csrf-token": "anonymous" }, data: { username, password: DEMO_PASSWORD } });
  expect(login.status(), await login.text()).toBe(200);
  const me = (await (await api.get("/trpc/auth.me")).json()) as TrpcAnswer<{ csrfToken: string }>;
  return { api, csrf: me.result.data.csrfToken };
}

async function mutate<T>(client: { api: APIRequestContext; csrf: string }, path: string, data: unknown): Promise<T> {
  const response = await client.api.post(`/trpc/${path}`, { headers: { "x-csrf-token": client.csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as TrpcAnswer<T>).result.data;
}

type CreatedKey = { key: { id: number; name: string }; value: string };

async function createScopedKey(client: { api: APIRequestContext; csrf: string }, name: string): Promise<CreatedKey> {
  return mutate<CreatedKey>(client, "keys.create", { name, expiresInDays: 30, scopes: ["push"], glob: "*" });
}

/** A keyed NuGet request from `address`; answers the status. */
async function nuget(api: APIRequestContext, key: string, path: string, address: string): Promise<number> {
  const response = await api.get(path, { headers: { "X-NuGet-ApiKey": key, "x-forwarded-for": address, "user-agent": USER_AGENT } });
  return response.status();
}

async function openAdminLogs(page: Page) {
  await page.goto("/account/api-keys");
  await navLink(page, NAV.adminLogs).click();
  await expect(page).toHaveURL((url) => url.pathname === "/admin/access-logs");
  await expect(pageHeading(page, "Access logs")).toBeVisible();
}

function filters(page: Page) {
  const form = page.getByRole("search", { name: "Filter entries" });
  return {
    form,
    path: form.getByLabel("Path contains"),
    status: form.getByLabel("Status"),
    method: form.getByLabel("Method"),
    user: form.getByLabel("User"),
    clear: form.getByRole("button", { name: "Clear filters" }),
  };
}

function entries(page: Page) {
  return page.getByRole("region", { name: /^Access-log entries/ });
}

function entryRow(page: Page, text: string | RegExp) {
  return entries(page).getByRole("row").filter({ hasText: text });
}

/** Types the run's mark into "Path contains" and waits for the URL to take it. */
async function filterToThisRun(page: Page) {
  await filters(page).path.fill(MARK);
  await expect(page).toHaveURL((url) => url.searchParams.get("path") === MARK);
}

test.beforeAll(async ({}, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const alice = await apiAs(baseURL, "alice", "198.51.100.61");
  const bob = await apiAs(baseURL, "bob", "198.51.100.62");
  const admin = await apiAs(baseURL, "admin", "198.51.100.63");
  try {
    const aliceKey = await createScopedKey(alice, ALICE_KEY);
    const bobKey = await createScopedKey(bob, BOB_KEY);
    // A key alice deletes: presenting it afterwards is an attempt with an unknown key.
    const doomed = await createScopedKey(alice, `Doomed ${MARK}`);
    await mutate(alice, "keys.delete", { id: doomed.key.id });
    // A system key that logs bodies.
    const system = await mutate<CreatedKey>(admin, "adminKeys.create", {
      name: SYSTEM_KEY,
      description: SYSTEM_KEY,
      apis: ["feeds"],
      logRequestBody: true,
      logResponseBody: true,
    });

    const api = alice.api;
    expect(await nuget(api, aliceKey.value, `${INDEX}?run=${MARK}`, "203.0.113.10")).toBe(200);
    expect(await nuget(api, aliceKey.value, `/nuget/nuget/v3-flatcontainer/no.such.package.${MARK}/index.json?run=${MARK}`, "203.0.113.10")).toBe(404);
    expect(await nuget(api, bobKey.value, `${INDEX}?run=${MARK}`, "203.0.113.20")).toBe(200);
    expect(await nuget(api, system.value, `${INDEX}?run=${MARK}`, "203.0.113.30")).toBe(200);
    // Failed attempts: a made-up key (its checksum does not match) and the deleted one.
    expect(await nuget(api, `khk_${randomBytes(24).toString("hex")}`, `${INDEX}?run=${MARK}&attempt=malformed`, "203.0.113.40")).toBe(403);
    expect(await nuget(api, doomed.value, `${INDEX}?run=${MARK}&attempt=unknown`, "203.0.113.41")).toBe(403);

    // The writer batches entries off the request path: wait until all six are readable.
    let rows: { id: number; keyName: string | null }[] = [];
    await expect
      .poll(
        async () => {
          const input = encodeURIComponent(JSON.stringify({ path: MARK }));
          const answer = (await (await admin.api.get(`/trpc/logs.list?input=${input}`)).json()) as TrpcAnswer<{ rows: typeof rows }>;
          rows = answer.result.data.rows;
          return rows.length;
        },
        { timeout: 10_000 },
      )
      .toBe(6);
    const aliceEntry = rows.find((r) => r.keyName === ALICE_KEY)!;
    seeded = { aliceKeyId: aliceKey.key.id, aliceKey: aliceKey.value, aliceEntryId: aliceEntry.id };
  } finally {
    await Promise.all([alice.api.dispose(), bob.api.dispose(), admin.api.dispose()]);
  }
});

test.describe("Admin › Access logs", () => {
  test("shows every entry, failed attempts included, and filters by status class in the URL", async ({ page, signInAs }) => {
    await signInAs("admin");
    await openAdminLogs(page);
    await expect(page).toHaveTitle("Admin › Access logs · Keyhouse");
    await filterToThisRun(page);

    const table = entries(page);
    await expect(table.getByRole("columnheader")).toHaveText(["Time", "Key", "User", "Method", "Path", "Status", "Duration", "IP", "Details"]);
    await expect(entryRow(page, ALICE_KEY)).toHaveCount(2);
    await expect(entryRow(page, BOB_KEY)).toHaveCount(1);
    await expect(entryRow(page, SYSTEM_KEY)).toHaveCount(1);
    await expect(entryRow(page, "malformed key")).toHaveCount(1);
    await expect(entryRow(page, "unknown key")).toHaveCount(1);
    await expect(page.getByRole("status").filter({ hasText: /^6 entries, newest first\.$/ })).toBeVisible();

    const aliceOk = entryRow(page, ALICE_KEY).filter({ has: page.getByRole("cell", { name: "200", exact: true }) });
    await expect(aliceOk.getByRole("cell")).toContainText(["", ALICE_KEY, "alice", "GET", `${INDEX}?run=${MARK}`, "200", "", "203.0.113.10"]);

    // 4xx: the 404 and both failed attempts.
    await filters(page).status.selectOption({ label: "4xx Client error" });
    await expect(page).toHaveURL((url) => url.searchParams.get("statusClass") === "4xx" && url.searchParams.get("path") === MARK);
    await expect(table.getByRole("row")).toHaveCount(4); // the header row and three entries
    await expect(entryRow(page, "malformed key").getByRole("cell").nth(5)).toHaveText("403");
    await expect(entryRow(page, "unknown key")).toHaveCount(1);
    await expect(entryRow(page, ALICE_KEY).getByRole("cell", { name: "404", exact: true })).toBeVisible();

    // 3xx: nothing here redirects.
    await filters(page).status.selectOption({ label: "3xx Redirection" });
    await expect(page).toHaveURL((url) => url.searchParams.get("statusClass") === "3xx");
    await expect(page.getByText("No entries match these filters.")).toBeVisible();
    await expect(entries(page)).toHaveCount(0);

    // The address is the view: loading it afresh shows the same filters and entries.
    await filters(page).status.selectOption({ label: "2xx Success" });
    await expect(page).toHaveURL((url) => url.searchParams.get("statusClass") === "2xx");
    await page.reload();
    await expect(filters(page).status).toHaveValue("2xx");
    await expect(filters(page).path).toHaveValue(MARK);
    await expect(table.getByRole("row")).toHaveCount(4);
    await expect(entryRow(page, "malformed key")).toHaveCount(0);

    // Back undoes a filter.
    await page.goBack();
    await expect(page).toHaveURL((url) => url.searchParams.get("statusClass") === "3xx");
    await expect(filters(page).status).toHaveValue("3xx");

    // The exports carry the same filters.
    await filters(page).status.selectOption({ label: "4xx Client error" });
    const csv = page.getByRole("link", { name: "Export CSV" });
    await expect(csv).toHaveAttribute("href", `/exports/access-logs.csv?statusClass=4xx&path=${MARK}`);
    await expect(page.getByRole("link", { name: "Export NDJSON" })).toHaveAttribute("href", `/exports/access-logs.ndjson?statusClass=4xx&path=${MARK}`);
    const exported = await page.request.get((await csv.getAttribute("href"))!);
    expect(exported.status()).toBe(200);
    const lines = (await exported.text()).trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((line) => line.includes(MARK) && /,4\d\d,/.test(line))).toBe(true);

    await filters(page).clear.click();
    await expect(page).toHaveURL((url) => url.pathname === "/admin/access-logs" && url.search === "");
    await expect(filters(page).path).toHaveValue("");
  });

  test("opens an entry's details from the keyboard, with the logged bodies", async ({ page, signInAs }) => {
    await signInAs("admin");
    await page.goto(`/admin/access-logs?path=${MARK}`);
    await expect(entryRow(page, SYSTEM_KEY)).toHaveCount(1);

    // A key that logs bodies: the response (the service index) is there; a GET has no request body.
    const details = entryRow(page, SYSTEM_KEY).getByRole("button", { name: /^Details/ });
    await details.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Entry details" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(SYSTEM_KEY);
    await expect(dialog).toContainText(`${INDEX}?run=${MARK}`);
    await expect(dialog).toContainText("203.0.113.30");
    await expect(dialog).toContainText(USER_AGENT);
    const response = dialog.getByRole("region", { name: "Response body" });
    await expect(response).toContainText("PackagePublish/2.0.0");
    await expect(dialog.getByRole("region", { name: "Request body" })).toContainText("Not logged for this key");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(details).toBeFocused();

    // A key that does not log bodies.
    await entryRow(page, ALICE_KEY)
      .filter({ hasText: "no.such.package" })
      .getByRole("button", { name: /^Details/ })
      .click();
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("404");
    await expect(dialog.getByRole("region", { name: "Response body" })).toContainText("Not logged for this key");
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();

    // A failed attempt.
    await entryRow(page, "malformed key")
      .getByRole("button", { name: /^Details/ })
      .click();
    await expect(dialog).toContainText("malformed key");
    await expect(dialog).toContainText("403");
  });

  test("auto-refresh brings in new entries without a reload", async ({ page, signInAs, request }) => {
    await signInAs("admin");
    await page.goto(`/admin/access-logs?path=${MARK}`);
    await expect(entryRow(page, ALICE_KEY)).toHaveCount(2);
    await page.getByRole("checkbox", { name: "Auto-refresh" }).check();
    expect(await nuget(request, seeded.aliceKey, `${INDEX}?run=${MARK}&late=1`, "203.0.113.11")).toBe(200);
    await expect(entryRow(page, ALICE_KEY)).toHaveCount(3, { timeout: 12_000 });
    await expect(entryRow(page, `late=1`)).toHaveCount(1);
  });

  test("searches on by itself when a page stops searching early, then leaves a button", async ({ page, signInAs }) => {
    // logs.list stops searching after a time budget; the seeded log is too small for that,
    // so these answers are made to look like pages that stopped early until `early` is off.
    let early = true;
    let calls = 0;
    await page.route(/\/trpc\/[^?]*logs\.list/, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch();
      const index = url.pathname.slice("/trpc/".length).split(",").indexOf("logs.list");
      const input = (JSON.parse(url.searchParams.get("input") ?? "{}") as Record<string, { path?: string; cursor?: number }>)[String(index)];
      if (!early || !input?.path?.includes(MARK)) return route.fulfill({ response });
      calls++;
      const body = (await response.json()) as TrpcAnswer<{ rows: { id: number }[]; nextCursor: number | null; scannedTo: string | null }>[];
      const answer = body[index]!.result;
      // The first page: what there is, with a cursor below it; deeper ones: nothing, searching on from where they were.
      const { rows } = answer.data;
      const nextCursor = input.cursor ?? Math.min(...rows.map((r) => r.id), 1_000_000);
      answer.data = { rows: input.cursor === undefined ? rows : [], nextCursor, scannedTo: "2026-01-02T03:04:05.000Z" };
      return route.fulfill({ response, json: body });
    });
    await signInAs("admin");

    // Nothing found yet: never "No entries match", but searching, then a button.
    await page.goto(`/admin/access-logs?path=${MARK}-none`);
    await expect(page.getByText(/^Searching… back to /)).toBeVisible();
    await expect(page.getByText(/^Searched back to .* — 0 found so far\.$/)).toBeVisible({ timeout: 8_000 });
    await expect(page.getByText("No entries match these filters.")).toHaveCount(0);
    expect(calls).toBeGreaterThan(1);
    early = false;
    await page.getByRole("button", { name: "Search further" }).click();
    await expect(page.getByText("No entries match these filters.")).toBeVisible();

    // Some found: they show, with how far the search got.
    early = true;
    await page.goto(`/admin/access-logs?path=${MARK}`);
    await expect(entryRow(page, BOB_KEY)).toHaveCount(1);
    const found = (await entries(page).getByRole("row").count()) - 1; // 6, or 7 after the auto-refresh test's
    await expect(page.getByText(new RegExp(`^Searched back to .* — ${found} found so far\\.$`))).toBeVisible();
    const further = page.getByRole("button", { name: "Search further" });
    await expect(further).toBeEnabled({ timeout: 8_000 });
    early = false;
    await further.click();
    await expect(page.getByText("That is every entry that matches.")).toBeVisible();
    await expect(further).toHaveCount(0);
  });

  test("is not for users", async ({ page, signInAs }) => {
    await signInAs("bob");
    await page.goto("/admin/access-logs");
    await expect(entries(page)).toHaveCount(0);
    await expect(navLink(page, NAV.adminLogs)).toHaveCount(0);
  });
});

test.describe("Account › Access logs", () => {
  test("alice sees her own keys' entries only, and gets there from a key's Logs link", async ({ page, signInAs }) => {
    await signInAs("alice");
    await page.goto("/account/api-keys");
    await navLink(page, ACCOUNT_LOGS).click();
    await expect(page).toHaveURL((url) => url.pathname === "/account/access-logs");
    await expect(pageHeading(page, "Access logs")).toBeVisible();
    await expect(navLink(page, ACCOUNT_LOGS)).toHaveAttribute("aria-current", "page");

    await filterToThisRun(page);
    await expect(entryRow(page, ALICE_KEY)).not.toHaveCount(0);
    for (const other of [BOB_KEY, SYSTEM_KEY, "malformed key", "unknown key"]) await expect(entryRow(page, other)).toHaveCount(0);
    await expect(entries(page).getByRole("row").filter({ hasNotText: ALICE_KEY })).toHaveCount(1); // the header row

    // The exports are hers only, too.
    const exported = await page.request.get((await page.getByRole("link", { name: "Export NDJSON" }).getAttribute("href"))!);
    const rows = (await exported.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { keyName: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.keyName === ALICE_KEY)).toBe(true);

    // From Account › API keys, a key's "Logs" link opens its entries.
    await page.goto("/account/api-keys");
    await page.getByRole("link", { name: `Logs of “${ALICE_KEY}”` }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/account/access-logs" && url.searchParams.get("key") === String(seeded.aliceKeyId));
    await expect(filters(page).form.getByLabel("Key", { exact: true })).toHaveValue(String(seeded.aliceKeyId));
    await expect(entryRow(page, ALICE_KEY).first()).toBeVisible();
    await expect(entries(page).getByRole("row").filter({ hasNotText: ALICE_KEY })).toHaveCount(1);
  });

  test("bob sees none of alice's entries, even when asking for her key", async ({ page, signInAs }) => {
    await signInAs("bob");
    await page.goto("/account/api-keys");
    await expect(mainNav(page).getByRole("link", { name: ACCOUNT_LOGS })).toBeVisible();
    await page.goto(`/account/access-logs?path=${MARK}`);
    await expect(entryRow(page, BOB_KEY)).toHaveCount(1);
    await expect(entryRow(page, ALICE_KEY)).toHaveCount(0);
    await expect(entries(page).getByRole("row")).toHaveCount(2);

    await page.goto(`/account/access-logs?key=${seeded.aliceKeyId}`);
    await expect(page.getByText("No entries match these filters.")).toBeVisible();
    await expect(entries(page)).toHaveCount(0);

    // Nor the details of one of her entries, asked for directly.
    const input = encodeURIComponent(JSON.stringify({ id: seeded.aliceEntryId }));
    expect((await page.request.get(`/trpc/logs.get?input=${input}`)).status()).toBe(404);
  });
});
