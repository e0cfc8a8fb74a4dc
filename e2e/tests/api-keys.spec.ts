// Account › API keys, as a package owner uses them (docs/presenting-keys.md, docs/authorization.md, docs/screens.md): the generate-key
// wizard, the one-time reveal and its Copy button, using the key on a real feed, the
// list, Regenerate and Revoke with their confirmations, the wizard's messages, revoking a
// legacy key, the Outbox notice — and, under all of it, that no key value is kept
// anywhere it should not be: not in the URL, browser storage, the page after leaving,
// notices, or the database file.
import { randomBytes } from "node:crypto";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import {
  controlValues,
  DEMO_PASSWORD,
  expect,
  expectNotInDatabase,
  GENERATED_KEY,
  INVALID_KEY_MESSAGE,
  NAV,
  navLink,
  pageHeading,
  randomPartOf,
  REVEAL_WARNING,
  submitSignIn,
  tableCell,
  test,
  waitForAccessLog,
} from "../fixtures";

/** Unique to this run, so names never collide with another spec's keys on the shared server. */
const RUN = randomBytes(3).toString("hex");
const FEED_INDEX = "/nuget/nuget/v3/index.json";

// ---- Finding things -------------------------------------------------------------------

function wizard(page: Page) {
  return {
    heading: pageHeading(page, "Create an API key"),
    name: page.getByLabel("Key name", { exact: true }),
    expiresIn: page.getByLabel("Expires in", { exact: true }),
    push: page.getByRole("checkbox", { name: "Push", exact: true }),
    glob: page.getByLabel("Glob pattern", { exact: true }),
    summary: page.getByRole("region", { name: "Summary" }),
    generate: page.getByRole("button", { name: "Generate key", exact: true }),
  };
}

function reveal(page: Page) {
  return {
    value: page.getByRole("textbox", { name: "Your new API key", exact: true }),
    warning: page.getByText(REVEAL_WARNING, { exact: true }),
    copy: page.getByRole("button", { name: "Copy", exact: true }),
    copied: page.getByRole("status").filter({ hasText: /^Copied$/ }),
    done: page.getByRole("button", { name: "Done", exact: true }).or(page.getByRole("link", { name: "Done", exact: true })),
  };
}

function keysTable(page: Page): Locator {
  return page.getByRole("region", { name: "Your API keys" }).getByRole("table");
}

function keyRow(page: Page, name: string): Locator {
  return keysTable(page)
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader").filter({ hasText: name }) });
}

async function cell(page: Page, name: string, column: string): Promise<Locator> {
  return tableCell(keysTable(page), keyRow(page, name), column);
}

// ---- Checking things --------------------------------------------------------------------

/** A NuGet feed read with the key in X-NuGet-ApiKey, as the NuGet client sends it. */
async function feedRead(request: APIRequestContext, key: string) {
  const response = await request.get(FEED_INDEX, { headers: { "X-NuGet-ApiKey": key } });
  return { status: response.status(), body: await response.text() };
}

async function expectFeedAccepts(request: APIRequestContext, key: string) {
  const answer = await feedRead(request, key);
  expect(answer.status, answer.body).toBe(200);
  expect(JSON.parse(answer.body)).toMatchObject({ version: "3.0.0" });
}

async function expectFeedRefuses(request: APIRequestContext, key: string) {
  const answer = await feedRead(request, key);
  expect(answer.status, answer.body).toBe(403);
  expect(JSON.parse(answer.body)).toEqual({ error: INVALID_KEY_MESSAGE });
}

/** Nothing the browser keeps for this page holds any of `values`. */
async function expectNotKeptInBrowser(page: Page, values: readonly string[]) {
  const kept = await page.evaluate(() => {
    const dump = (storage: Storage) => Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i)!)}`).join("\n");
    return { local: dump(localStorage), session: dump(sessionStorage), history: JSON.stringify(history.state ?? null), cookies: document.cookie };
  });
  for (const value of values) {
    expect(page.url()).not.toContain(value);
    expect(kept.local, "localStorage").not.toContain(value);
    expect(kept.session, "sessionStorage").not.toContain(value);
    expect(kept.history, "history.state").not.toContain(value);
    expect(kept.cookies, "cookies").not.toContain(value);
  }
}

/** The page shows none of `values`: not in its markup, its text or any field's value. */
async function expectNotOnPage(page: Page, values: readonly string[]) {
  const html = await page.content();
  const fields = await controlValues(page);
  for (const value of values) {
    expect(html).not.toContain(value);
    expect(html).not.toContain(randomPartOf(value));
    expect(fields).not.toContain(value);
  }
  await expect(page.getByText(/khk_[0-9A-Za-z]{36}/)).toHaveCount(0);
}

/**
 * Keeps every answer the page gets (read as it arrives, while the browser still has it),
 * to find out later which of them carried a key value.
 */
function recordAnswers(page: Page): (values: readonly string[]) => Promise<string[]> {
  const answers: Array<Promise<{ path: string; text: string }>> = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    answers.push(
      response.text().then(
        (text) => ({ path, text }),
        () => ({ path, text: "" }),
      ),
    ); // redirects have no body
  });
  return async (values) => {
    const all = await Promise.all(answers);
    return all.filter(({ text }) => values.some((v) => text.includes(v))).map(({ path }) => path);
  };
}

// ---- The flows ----------------------------------------------------------------------------

test.describe("Account › API keys", () => {
  test("alice creates a scoped key, copies it once, uses it, regenerates and revokes it, and no value is kept", async ({ page, context, request, baseURL }) => {
    test.slow(); // one long walk through the whole life of a key
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    const keyName = `CI push ${RUN}`;
    const values: string[] = []; // every value this test sees, filled in as they appear
    const answersWithValues = recordAnswers(page);

    // Sign in through the form, as a person does.
    await page.goto("/login");
    await submitSignIn(page, "alice", DEMO_PASSWORD);
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expect(navLink(page, NAV.accountKeys)).toHaveAttribute("aria-current", "page");
    await expect(pageHeading(page, "API keys")).toBeVisible();

    // The wizard.
    await page.getByRole("main").getByRole("link", { name: "Create", exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys/create");
    const form = wizard(page);
    await expect(form.heading).toBeVisible();
    await form.name.fill(keyName);
    await expect(form.expiresIn).toHaveValue("365");
    await expect(form.expiresIn.getByRole("option", { selected: true })).toHaveText("365 days");
    await expect(form.expiresIn.getByRole("option")).toHaveText(["1 day", "30 days", "90 days", "180 days", "270 days", "365 days"]);
    await form.push.check();
    await expect(form.push).toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Update", exact: true })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Unlist", exact: true })).not.toBeChecked();
    await form.glob.pressSequentially("Contoso.*");

    // The live preview lists the packages the pattern covers: the three NuGet Contoso ones,
    // not the npm @contoso/* (a different id) nor bob's.
    await expect(form.glob).toHaveAccessibleDescription(/Matches 3 of your packages: /);
    const preview = (await form.glob.getAttribute("aria-describedby"))!.split(" ").at(-1)!;
    const previewText = (await page.locator(`[id="${preview}"]`).textContent()) ?? "";
    const listed = previewText
      .replace(/^Matches 3 of your packages: /, "")
      .split(", ")
      .sort();
    expect(listed).toEqual(["Contoso.Core", "Contoso.Data", "Contoso.Web"]);
    await expect(form.summary).toContainText(keyName);
    await expect(form.summary).toContainText("Push");
    await expect(form.summary).toContainText("Contoso.* (3 packages now)");

    await form.generate.click();

    // The reveal: the key once, the warning, Copy.
    const shown = reveal(page);
    await expect(page.getByRole("heading", { name: `Key “${keyName}” created` })).toBeVisible();
    await expect(shown.warning).toBeVisible();
    await expect(shown.value).toHaveValue(GENERATED_KEY);
    await expect(shown.value).toHaveAccessibleDescription(REVEAL_WARNING);
    const first = await shown.value.inputValue();
    values.push(first);

    await shown.copy.click();
    await expect(shown.copied).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);
    await expectNotKeptInBrowser(page, values);

    // Use it, as a NuGet client would; a mistyped key (bad checksum) and a well-formed
    // unknown key get the same refusal.
    await expectFeedAccepts(request, first);
    const lastChar = first.at(-1)!;
    await expectFeedRefuses(request, first.slice(0, -1) + (lastChar === "A" ? "B" : "A"));
    await expectFeedRefuses(request, `${first.slice(0, 4)}${"x".repeat(30)}${first.slice(34)}`);

    // Leave, then come back with Back: the wizard is empty and the value gone for good.
    await navLink(page, NAV.outbox).click();
    await expect(pageHeading(page, "Outbox")).toBeVisible();
    await page.goBack();
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys/create");
    await expect(form.heading).toBeVisible();
    await expect(form.name).toHaveValue("");
    await expectNotOnPage(page, values);
    // Reloading the create page does not bring it back either.
    await page.reload();
    await expect(form.heading).toBeVisible();
    await expect(shown.value).toHaveCount(0);
    await expectNotOnPage(page, values);
    await expectNotKeptInBrowser(page, values);

    // The list shows the key, its settings and hint, never its value.
    await navLink(page, NAV.accountKeys).click();
    await expect(pageHeading(page, "API keys")).toBeVisible();
    await expect(keyRow(page, keyName)).toHaveCount(1);
    await expect(await cell(page, keyName, "Status")).toHaveText("Active");
    await expect(await cell(page, keyName, "Scopes")).toHaveText("Push");
    await expect(await cell(page, keyName, "Glob")).toHaveText("Contoso.*");
    await expect(await cell(page, keyName, "Packages")).toHaveText(/^(—)?None$/);
    const hint = (await (await cell(page, keyName, "Name")).textContent())!.replace(keyName, "").trim();
    expect(hint.startsWith("khk_")).toBe(true);
    expect(hint.length).toBeLessThan(first.length / 2);
    await expectNotOnPage(page, values);
    const keyId = await keyIdOf(page, keyName);

    // Regenerate: confirm, and a new value is shown once.
    await keyRow(page, keyName)
      .getByRole("button", { name: `Regenerate “${keyName}”`, exact: true })
      .click();
    const regenerateDialog = page.getByRole("dialog", { name: `Regenerate “${keyName}”?` });
    await expect(regenerateDialog).toBeVisible();
    await expect(regenerateDialog).toContainText("stops working at once");
    await regenerateDialog.getByRole("button", { name: "Regenerate key", exact: true }).click();
    await expect(regenerateDialog).toBeHidden();
    await expect(page.getByRole("heading", { name: `Key “${keyName}” regenerated` })).toBeVisible();
    await expect(shown.warning).toBeVisible();
    await expect(shown.value).toHaveValue(GENERATED_KEY);
    const second = await shown.value.inputValue();
    values.push(second);
    expect(second).not.toBe(first);
    expect(randomPartOf(second)).not.toBe(randomPartOf(first));
    await expectNotKeptInBrowser(page, values);

    // The old value stops working at once; the new one works.
    await expectFeedRefuses(request, first);
    await expectFeedAccepts(request, second);

    await shown.done.click();
    await expect(shown.value).toHaveCount(0);
    await expect(await cell(page, keyName, "Status")).toHaveText("Active");
    await expectNotOnPage(page, values);

    // Revoke: confirm (with a reason), and the key is listed as Revoked, with only Delete left.
    await keyRow(page, keyName)
      .getByRole("button", { name: `Revoke “${keyName}”`, exact: true })
      .click();
    const revokeDialog = page.getByRole("dialog", { name: `Revoke “${keyName}”?` });
    await expect(revokeDialog).toBeVisible();
    await revokeDialog.getByLabel("Reason (optional)").fill("Rotated out by the e2e test");
    await revokeDialog.getByRole("button", { name: "Revoke key", exact: true }).click();
    await expect(revokeDialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: `Key “${keyName}” revoked.` })).toBeVisible();
    await expect(await cell(page, keyName, "Status")).toHaveText("Revoked");
    await expect(keyRow(page, keyName).getByRole("button", { name: `Regenerate “${keyName}”` })).toHaveCount(0);
    await expect(keyRow(page, keyName).getByRole("button", { name: `Revoke “${keyName}”` })).toHaveCount(0);
    await expect(keyRow(page, keyName).getByRole("button", { name: `Delete “${keyName}”`, exact: true })).toBeVisible();
    await expectFeedRefuses(request, second);
    // It stays revoked on a fresh load.
    await page.reload();
    await expect(await cell(page, keyName, "Status")).toHaveText("Revoked");
    await expectNotOnPage(page, values);

    // The Outbox has the notices, never the key.
    await navLink(page, NAV.outbox).click();
    await expect(pageHeading(page, "Outbox")).toBeVisible();
    const notices = page.getByRole("list", { name: "Notices, newest first" });
    const created = notices.getByRole("listitem").filter({ has: page.getByRole("heading", { name: `New API key "${keyName}" created`, exact: true }) });
    await expect(created).toHaveCount(1);
    await expect(notices.getByRole("heading", { name: `API key "${keyName}" regenerated`, exact: true })).toHaveCount(1);
    await expect(notices.getByRole("heading", { name: `API key "${keyName}" revoked`, exact: true })).toHaveCount(1);
    await created.getByText("Show message").click();
    await expect(created.getByText("Hide message")).toBeVisible();
    await expect(created).toContainText(keyName);
    await expect(created).toContainText("Push");
    for (const value of values) {
      await expect(notices).not.toContainText(value);
      await expect(notices).not.toContainText(randomPartOf(value));
    }
    await expectNotOnPage(page, values);

    // Only the two one-time answers (create, regenerate) ever carried a value to the browser.
    expect((await answersWithValues(values)).sort()).toEqual(["/trpc/keys.create", "/trpc/keys.regenerate"]);

    // Finally, the database file itself: neither value, nor its random part, is in it,
    // once the access log has written this test's requests too (three of them name the
    // key: both values accepted, then the revoked one refused; the others matched no key).
    await waitForAccessLog(page, keyId, 3);
    await expectNotInDatabase(
      values.flatMap((v) => [v, randomPartOf(v)]),
      { present: [keyName, hint] },
    );
  });

  test("reloading the reveal hides the key for ever", async ({ page, request, signInAs }) => {
    const keyName = `Reload ${RUN}`;
    await signInAs("alice");
    await page.goto("/account/api-keys/create");
    const form = wizard(page);
    await form.name.fill(keyName);
    await page.getByRole("checkbox", { name: "Unlist", exact: true }).check();
    await form.glob.fill("contoso*");
    await form.generate.click();
    const shown = reveal(page);
    await expect(shown.value).toHaveValue(GENERATED_KEY);
    const value = await shown.value.inputValue();

    await page.reload();

    await expect(form.heading).toBeVisible();
    await expect(shown.value).toHaveCount(0);
    await expect(shown.warning).toHaveCount(0);
    await expectNotOnPage(page, [value]);
    await expectNotKeptInBrowser(page, [value]);
    // The key was made all the same, and still works: only the page forgot it.
    await expectFeedAccepts(request, value);
    await page.goto("/account/api-keys");
    await expect(await cell(page, keyName, "Scopes")).toHaveText("Unlist");
    await expectNotOnPage(page, [value]);
    await waitForAccessLog(page, await keyIdOf(page, keyName), 1);
    await expectNotInDatabase([value, randomPartOf(value)], { present: [keyName] });
  });

  test("the wizard explains what is missing, next to each field, before asking the server", async ({ page, signInAs }) => {
    await signInAs("alice");
    await page.goto("/account/api-keys/create");
    const form = wizard(page);
    await expect(form.heading).toBeVisible();
    let asked = false;
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.includes("keys.create")) asked = true;
    });

    await form.generate.click();

    const main = page.getByRole("main");
    await expect(main.getByText("The key name is required.", { exact: true })).toBeVisible();
    await expect(main.getByText("At least one scope must be selected.", { exact: true })).toBeVisible();
    await expect(main.getByText("Either a glob pattern must be specified or at least one package must be selected.", { exact: true })).toBeVisible();
    await expect(form.name).toHaveAttribute("aria-invalid", "true");
    await expect(form.name).toHaveAccessibleDescription("The key name is required.");
    await expect(form.push).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("group", { name: "Scopes" })).toHaveAccessibleDescription("At least one scope must be selected.");
    await expect(form.glob).toHaveAccessibleDescription(/Either a glob pattern must be specified or at least one package must be selected\./);
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys/create");
    await expect(reveal(page).value).toHaveCount(0);

    // Fixing the fields one by one clears their messages; choosing a package instead of a
    // glob pattern is enough for the packages.
    await form.name.fill(`Validation ${RUN}`);
    await form.push.check();
    await page.getByRole("list", { name: "Your packages" }).getByRole("checkbox", { name: "Contoso.Web", exact: true }).check();
    await expect(main.getByText("The key name is required.", { exact: true })).toHaveCount(0);
    await expect(main.getByText("At least one scope must be selected.", { exact: true })).toHaveCount(0);
    await expect(main.getByText("Either a glob pattern must be specified or at least one package must be selected.", { exact: true })).toHaveCount(0);
    expect(asked).toBe(false);

    // And it is made; the value is shown (and then forgotten by leaving without Copy).
    await form.generate.click();
    await expect(reveal(page).value).toHaveValue(GENERATED_KEY);
    expect(asked).toBe(true);
    const value = await reveal(page).value.inputValue();
    await expectNotInDatabase([value, randomPartOf(value)], { present: [`Validation ${RUN}`] });
  });

  test("bob revokes his legacy full-access key", async ({ page, signInAs }) => {
    await signInAs("bob");
    await page.goto("/account/api-keys");
    await expect(pageHeading(page, "API keys")).toBeVisible();
    const legacy = "Legacy API key";
    await expect(keyRow(page, legacy)).toHaveCount(1);
    await expect(await cell(page, legacy, "Status")).toHaveText("Full access (legacy)");
    await expect(await cell(page, legacy, "Scopes")).toHaveText("All");
    await expect(await cell(page, legacy, "Packages")).toHaveText("All packages");
    await expect(page.getByRole("main")).toContainText("You have a legacy key with full access to all your packages.");
    // A legacy key can only be revoked or deleted: no Edit packages, no Regenerate.
    await expect(keyRow(page, legacy).getByRole("button", { name: /^Regenerate/ })).toHaveCount(0);
    await expect(keyRow(page, legacy).getByRole("link", { name: /^Edit packages/ })).toHaveCount(0);

    await keyRow(page, legacy)
      .getByRole("button", { name: `Revoke “${legacy}”`, exact: true })
      .click();
    const dialog = page.getByRole("dialog", { name: `Revoke “${legacy}”?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Revoke key", exact: true }).click();
    await expect(dialog).toBeHidden();

    await expect(await cell(page, legacy, "Status")).toHaveText("Revoked");
    await expect(page.getByRole("button", { name: "Revoke all legacy keys", exact: true })).toHaveCount(0);
    await expect(page.getByRole("main")).not.toContainText("You have a legacy key");
    await page.reload();
    await expect(await cell(page, legacy, "Status")).toHaveText("Revoked");
    await expect(keyRow(page, legacy).getByRole("button", { name: `Delete “${legacy}”`, exact: true })).toBeVisible();
  });
});

/** A key's ID, as its row's "Logs" link carries it. */
async function keyIdOf(page: Page, name: string): Promise<number> {
  const href = await keyRow(page, name)
    .getByRole("link", { name: `Logs of “${name}”`, exact: true })
    .getAttribute("href");
  const id = Number(new URL(href!, "http://x").searchParams.get("key"));
  expect(id).toBeGreaterThan(0);
  return id;
}
