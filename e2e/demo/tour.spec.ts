// `npm run demo`: what Keyhouse is for, as a person would click through it: a scoped key and
// an npm publish, the access log, legacy keys revoked, a system key, then the defences of
// alice's CI key (docs/threat-model.md): a new-network alert, allowed networks, rotation with
// overlap, a leak report. It selects only by role and label, asserts what the page shows (a
// broken app fails it), captions each step on the page, and leaves a video and numbered
// screenshots in demo-output/. The tests share one page so the video runs from start to end.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "@playwright/test";
import { INVALID_KEY_MESSAGE, npmPublish, tableCell } from "../fixtures";
import { DEMO_PASSWORD, DEMO_USERS, expect, NAV, navLink, pageHeading, signInForm, test, type DemoUser } from "./fixtures";

test.describe.configure({ mode: "serial" });

const OUTPUT = process.env.DEMO_OUTPUT ?? path.resolve("demo-output");
/** How long a caption stays before the next step: reading time for whoever watches. */
const PACE_MS = Number(process.env.DEMO_PACE_MS ?? 900);
const VIEWPORT = { width: 1280, height: 800 };
const GENERATED_KEY = /^khk_[0-9A-Za-z]{36}$/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const ALICE_KEY = "CI publish for @contoso/core";
const PACKAGE = "@contoso/core";
const VERSION = "1.0.0";
const SYSTEM_KEY = "Nightly inventory script";
/** Where the demo "commits" alice's key by mistake, as GitHub secret scanning would report it. */
const LEAK_URL = "https://github.com/contoso/ci-scripts/blob/main/.npmrc";
/** A network the demo's requests do not come from (a documentation range). */
const CI_NETWORK = "198.51.100.0/24";

let context: BrowserContext;
let page: Page;
let shots = 0;
/** The value of alice's CI key, as she copied it from the reveal (step 1, then the regenerate of step 7). */
let aliceKey = "";
/** The value step 7 replaced, kept working for a day. */
let aliceReplacedKey = "";

// ---- Captions, screenshots ----------------------------------------------------------------

// A fixed strip at the foot of the page, outside <body> and hidden from assistive technology
// (so role queries never see it), that lets clicks through. It survives reloads: the text is
// kept in sessionStorage and put back by this script, which runs in every new document.
function installCaptionStrip() {
  const KEY = "keyhouse-demo-caption";
  const show = () => {
    let strip = document.getElementById(KEY);
    if (!strip) {
      strip = document.createElement("div");
      strip.id = KEY;
      strip.setAttribute("aria-hidden", "true");
      // A manual popover lives in the top layer, so a modal <dialog> and its backdrop do not
      // cover it once it is shown again after the dialog opened (see below).
      strip.setAttribute("popover", "manual");
      Object.assign(strip.style, {
        position: "fixed",
        inset: "auto auto 24px 50%",
        margin: "0",
        border: "none",
        transform: "translateX(-50%)",
        maxWidth: "80%",
        padding: "12px 20px",
        borderRadius: "10px",
        background: "rgba(17, 24, 39, 0.92)",
        color: "#fff",
        font: "600 20px/1.35 system-ui, sans-serif",
        textAlign: "center",
        boxShadow: "0 8px 24px rgba(0,0,0,.35)",
        zIndex: "2147483647",
        pointerEvents: "none",
      });
      document.documentElement.appendChild(strip);
    }
    const text = sessionStorage.getItem(KEY) ?? "";
    strip.textContent = text;
    strip.style.display = text ? "block" : "none";
    if (strip.matches(":popover-open")) strip.hidePopover();
    if (text) strip.showPopover();
  };
  (window as unknown as { keyhouseDemoCaption: (text: string) => void }).keyhouseDemoCaption = (text) => {
    sessionStorage.setItem(KEY, text);
    show();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
}

/** Says what happens next, on the page, and leaves it there long enough to read. */
async function caption(text: string): Promise<void> {
  await page.evaluate((t) => (window as unknown as { keyhouseDemoCaption: (text: string) => void }).keyhouseDemoCaption(t), text);
  await page.waitForTimeout(PACE_MS); // reading time for the viewer, not synchronisation
}

/** demo-output/NN-name.png, numbered in the order taken. */
async function screenshot(name: string): Promise<void> {
  shots += 1;
  await page.screenshot({ path: path.join(OUTPUT, `${String(shots).padStart(2, "0")}-${name}.png`) });
}

// ---- Steps people take ------------------------------------------------------------------------

async function signInThroughTheForm(username: DemoUser): Promise<void> {
  await page.goto("/");
  const form = signInForm(page);
  await expect(form.heading).toBeVisible();
  await caption(`${DEMO_USERS[username].displayName} signs in.`);
  await form.userName.fill(username);
  await form.password.fill(DEMO_PASSWORD);
  await form.submit.click();
  await expect(page.getByRole("banner")).toContainText(`Signed in as ${DEMO_USERS[username].displayName}`);
  await caption(`${DEMO_USERS[username].displayName} is signed in.`);
}

async function signOut(): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(signInForm(page).heading).toBeVisible();
}

/** The value in the reveal, as "Copy" put it on the clipboard (the way a person takes it). */
async function copyFromReveal(reveal: ReturnType<Page["getByRole"]>): Promise<string> {
  const shown = await reveal.getByRole("textbox", { name: /new API key$/i }).inputValue();
  await reveal.getByRole("button", { name: "Copy", exact: true }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied, "Copy puts the shown key on the clipboard").toBe(shown);
  return copied;
}

/** Alice's CI key in her key list, and the list's table (for its cells by column). */
function aliceKeyRow() {
  const table = page.getByRole("region", { name: "Your API keys" }).getByRole("table");
  const row = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${escapeRegExp(ALICE_KEY)}`) }) });
  return { table, row };
}

/** A notice in the Outbox, by its subject. */
function outboxNotice(subject: string) {
  return page
    .getByRole("list", { name: "Notices, newest first" })
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name: subject, exact: true }) });
}

/** GET /npm/npm/-/whoami (what `npm whoami` asks) with `key`: the status, the body and the warning header. */
async function npmWhoami(baseURL: string, key: string) {
  const answer = await fetch(`${baseURL}/npm/npm/-/whoami`, { headers: { authorization: `Bearer ${key}` } });
  return { status: answer.status, body: (await answer.json()) as { username?: string; error?: string }, warning: answer.headers.get("x-keyhouse-warning") };
}

/** Edit › "Networks and alerts" of alice's CI key: sets its allowed networks and saves. */
async function setAllowedNetworks(networks: string[]): Promise<void> {
  await aliceKeyRow()
    .row.getByRole("link", { name: `Edit packages of “${ALICE_KEY}”`, exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "Networks and alerts" })).toBeVisible();
  await page.getByLabel("Allowed networks", { exact: true }).fill(networks.join("\n"));
  await page.getByRole("button", { name: "Save networks and alerts", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved the networks and alerts of “${ALICE_KEY}”.` })).toBeVisible();
}

/** Waits for the log viewer to show `row`, pressing Refresh as a person would (entries are written in batches). */
async function refreshUntilVisible(row: ReturnType<Page["getByRole"]>): Promise<void> {
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
}

// ---- The tour ---------------------------------------------------------------------------------

test.beforeAll(async ({ browser }, testInfo) => {
  mkdirSync(OUTPUT, { recursive: true });
  for (const file of readdirSync(OUTPUT)) if (/\.(png|webm)$/.test(file)) rmSync(path.join(OUTPUT, file));
  context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    viewport: VIEWPORT,
    recordVideo: { dir: testInfo.outputPath("video"), size: VIEWPORT },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await context.addInitScript(installCaptionStrip);
  page = await context.newPage();
});

test.afterAll(async () => {
  const video = page.video();
  await context.close();
  if (video) {
    await video.saveAs(path.join(OUTPUT, "keyhouse-demo.webm"));
    await video.delete();
  }
});

test("1. alice makes a scoped key in the wizard and publishes with it through npm", async ({ baseURL }) => {
  await signInThroughTheForm("alice");
  await screenshot("alice-signed-in");

  await caption("Alice opens Account › API keys and creates a key for her CI.");
  await navLink(page, NAV.accountKeys).click();
  await expect(pageHeading(page, "API keys")).toBeVisible();
  await page.getByRole("link", { name: "Create", exact: true }).click();
  await expect(pageHeading(page, "Create an API key")).toBeVisible();

  await caption("She names it, lets it expire in 30 days, and gives it only Push on @contoso/core.");
  await page.getByLabel("Key name").fill(ALICE_KEY);
  await page.getByLabel("Expires in").selectOption({ label: "30 days" });
  await page.getByRole("checkbox", { name: "Push", exact: true }).check();
  await page.getByRole("checkbox", { name: PACKAGE, exact: true }).check();
  const summary = page.getByRole("region", { name: "Summary" });
  await expect(summary).toContainText(ALICE_KEY);
  await expect(summary).toContainText("in 30 days");
  await expect(summary).toContainText(PACKAGE);
  await screenshot("wizard-scoped-key");

  await page.getByRole("button", { name: "Generate key" }).click();
  const reveal = page.getByRole("region", { name: `Key “${ALICE_KEY}” created` });
  await expect(reveal).toBeVisible();
  await expect(reveal).toContainText("Make sure to copy your new API key now. You will not be able to see it again.");
  await caption("Keyhouse shows the key once. Alice copies it.");
  const key = await copyFromReveal(reveal);
  expect(key).toMatch(GENERATED_KEY);
  aliceKey = key;
  await screenshot("key-revealed-once");

  const registry = `${baseURL}/npm/npm/`;
  await caption(`In a terminal: npm publish ${PACKAGE}@${VERSION} with the key in .npmrc (registry ${registry})…`);
  const output = await npmPublish(
    registry,
    key,
    { name: PACKAGE, version: VERSION, description: "Published by the Keyhouse demo" },
    "module.exports = 'hello from @contoso/core';\n",
  );
  expect(output).toContain(`+ ${PACKAGE}@${VERSION}`);
  await caption(`npm says: + ${PACKAGE}@${VERSION}. The push went through with the scoped key.`);

  await reveal.getByRole("link", { name: "Done" }).click();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${escapeRegExp(ALICE_KEY)}`) }) });
  await expect(row).toBeVisible();
  // "Last used" is written with the access log, in batches: reload as a person would.
  await expect(async () => {
    await page.reload();
    await expect(await tableCell(page.getByRole("table"), row, "Last used")).not.toHaveText(/^Never/, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await caption("Her key list shows the new key, its scope and package, and when it was last used.");
  await screenshot("key-list-after-publish");
});

test("2. the access log shows that push", async () => {
  await caption("Every request made with a key is logged. Alice opens Account › Access logs.");
  await navLink(page, "Account › Access logs").click();
  await expect(pageHeading(page, "Access logs")).toBeVisible();
  const filters = page.getByRole("search", { name: "Filter entries" });
  // The options read "name (hint)": pick the one that starts with the key's name.
  const keyFilter = filters.getByLabel("Key", { exact: true });
  const option = keyFilter.getByRole("option", { name: new RegExp(`^${escapeRegExp(ALICE_KEY)} \\(`) });
  await keyFilter.selectOption({ label: (await option.textContent())! });
  await filters.getByLabel("Method").selectOption({ label: "PUT" });
  const push = page
    .getByRole("region", { name: /^Access-log entries/ })
    .getByRole("row")
    .filter({ hasText: "PUT" })
    .filter({ hasText: "201" })
    .filter({ hasText: "/npm/npm/" });
  await refreshUntilVisible(push);
  await caption(`There it is: PUT of ${PACKAGE} with her key, answered 201 Created.`);
  await screenshot("access-log-shows-push");
  await signOut();
});

test("3. bob revokes his legacy keys", async () => {
  await signInThroughTheForm("bob");
  await navLink(page, NAV.accountKeys).click();
  await expect(pageHeading(page, "API keys")).toBeVisible();
  const legacy = page.getByRole("row").filter({ hasText: "Full access (legacy)" });
  await expect(legacy).toHaveCount(1);
  await caption("Bob still has a legacy key with full access to all his packages.");
  await screenshot("bob-has-a-legacy-key");

  await caption("He revokes every legacy key at once.");
  await page.getByRole("button", { name: "Revoke all legacy keys" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke all legacy keys?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Revoke all legacy keys" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Revoked 1 legacy key.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke all legacy keys" })).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: "Legacy API key" })).toContainText("Revoked");
  await caption("Done: the legacy key is revoked and stops working at once.");
  await screenshot("bob-legacy-key-revoked");
  await signOut();
});

test("4. the admin makes a system key and reads its logs", async ({ baseURL }) => {
  await signInThroughTheForm("admin");
  await caption("The administrator makes a key for a script: Admin › API keys › Create system key.");
  await navLink(page, NAV.adminKeys).click();
  await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
  await page.getByRole("button", { name: "Create system key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create system key" });
  await expect(dialog).toBeVisible();

  await caption("A description says what it is for; it may use only the Native API.");
  await dialog.getByRole("radio", { name: "Generate a key" }).check();
  await dialog.getByLabel("Description").fill(SYSTEM_KEY);
  const apis = dialog.getByRole("group", { name: "APIs" });
  await apis.getByRole("checkbox", { name: "native" }).check();
  await apis.getByRole("checkbox", { name: "feeds" }).uncheck();
  await screenshot("admin-system-key-form");
  await dialog.getByRole("button", { name: "Create key" }).click();

  const reveal = page.getByRole("dialog", { name: `System key “${SYSTEM_KEY}” created` });
  await expect(reveal).toBeVisible();
  const key = await copyFromReveal(reveal);
  expect(key).toMatch(GENERATED_KEY);
  await caption("The new key is shown once; the administrator copies it into the script.");
  await screenshot("admin-system-key-revealed");

  await caption("The script calls the Native API once: GET /api/json/Feeds_GetFeeds.");
  const answer = await fetch(`${baseURL}/api/json/Feeds_GetFeeds`, { headers: { "X-ApiKey": key } });
  expect(answer.status).toBe(200);
  const feeds = ((await answer.json()) as { Feed_Name: string }[]).map((f) => f.Feed_Name).sort();
  expect(feeds).toEqual(["gems", "npm", "nuget"]);
  await caption(`The Native API answered 200 with the feeds: ${feeds.join(", ")}.`);

  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  await caption("The key's row links to its access log.");
  await page.getByRole("link", { name: `logs of ${SYSTEM_KEY}` }).click();
  await expect(pageHeading(page, "Access logs")).toBeVisible();
  const call = page
    .getByRole("region", { name: /^Access-log entries/ })
    .getByRole("row")
    .filter({ hasText: "/api/json/Feeds_GetFeeds" })
    .filter({ hasText: "200" });
  await refreshUntilVisible(call);
  await caption("Its log shows the call: GET /api/json/Feeds_GetFeeds, 200, from the script's address.");
  await screenshot("admin-reads-system-key-log");
});

test("5. alice's CI key tells her where it was used: a new-network alert", async () => {
  await signOut();
  await signInThroughTheForm("alice");
  await caption("Keyhouse tells a key's owner when the key is used from a new network. Alice opens her Outbox.");
  await navLink(page, NAV.outbox).click();
  await expect(pageHeading(page, "Outbox")).toBeVisible();
  // The alert is queued with the key's last use, which is written in batches.
  const alert = outboxNotice(`API key "${ALICE_KEY}" used from a new network`);
  await refreshUntilVisible(alert);
  await alert.getByText("Show message", { exact: true }).click();
  await expect(alert).toContainText("Network: 127.0.0.0/24");
  await expect(alert).toContainText(/User agent: npm\//);
  await caption("The key's first use, npm's publish from 127.0.0.0/24, sent her this alert.");
  await screenshot("outbox-new-network-alert");
});

test("6. alice restricts her CI key to allowed networks", async ({ baseURL }) => {
  // The demo's requests reach the server over loopback, from the address it listens on.
  const here = new URL(baseURL!).hostname;
  await caption(`She limits the key to her CI runners' network, ${CI_NETWORK}: Edit › Allowed networks.`);
  await navLink(page, NAV.accountKeys).click();
  await expect(pageHeading(page, "API keys")).toBeVisible();
  await setAllowedNetworks([CI_NETWORK]);
  const { table, row } = aliceKeyRow();
  await expect(await tableCell(table, row, "Status")).toContainText("Restricted to 1 network");
  await caption("Her key list says: Restricted to 1 network.");
  await screenshot("key-restricted-to-one-network");

  await caption(`This machine (${here}) is not in that network. GET /npm/npm/-/whoami with the key from here…`);
  const refused = await npmWhoami(baseURL!, aliceKey);
  expect(refused.status).toBe(403);
  expect(refused.body.error).toBe(`This API key cannot be used from ${here}.`);
  await caption(`…is refused: 403 “${refused.body.error}”`);
  await screenshot("key-refused-from-elsewhere");

  await caption("She adds 127.0.0.0/8 on a second line.");
  await setAllowedNetworks([CI_NETWORK, "127.0.0.0/8"]);
  await expect(await tableCell(table, row, "Status")).toContainText("Restricted to 2 networks");
  const allowed = await npmWhoami(baseURL!, aliceKey);
  expect(allowed.status).toBe(200);
  expect(allowed.body).toEqual({ username: "alice" });
  await caption(`From ${here} the key works again: whoami answers “alice”.`);
  await screenshot("key-restricted-to-two-networks");
});

test("7. alice rotates the key and keeps the old value working for a day", async ({ baseURL }) => {
  const oldValue = aliceKey;
  await caption("Time to rotate: she regenerates the key and keeps the old value working for 1 day.");
  const { table, row } = aliceKeyRow();
  await row.getByRole("button", { name: `Regenerate “${ALICE_KEY}”`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Regenerate “${ALICE_KEY}”?` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Keep the old value working for", { exact: true }).selectOption({ label: "1 day" });
  await screenshot("regenerate-keep-old-value");
  await dialog.getByRole("button", { name: "Regenerate key", exact: true }).click();
  await expect(dialog).toBeHidden();

  const reveal = page.getByRole("region", { name: `Key “${ALICE_KEY}” regenerated` });
  await expect(reveal).toBeVisible();
  const newValue = await copyFromReveal(reveal);
  expect(newValue).toMatch(GENERATED_KEY);
  expect(newValue).not.toBe(oldValue);
  aliceKey = newValue;
  aliceReplacedKey = oldValue;
  await caption("The new value is shown once; she copies it into her CI settings.");
  await screenshot("regenerated-key-revealed");

  const old = await npmWhoami(baseURL!, oldValue);
  expect(old.status).toBe(200);
  expect(old.body).toEqual({ username: "alice" });
  const until = /^This API key was replaced; the old value stops working on (\S+Z)\.$/.exec(old.warning ?? "");
  expect(until, `the warning header: ${old.warning}`).not.toBeNull();
  await caption(`Builds still using the old value work, with the header X-Keyhouse-Warning: “${old.warning}”`);
  const fresh = await npmWhoami(baseURL!, newValue);
  expect(fresh.status).toBe(200);
  expect(fresh.body).toEqual({ username: "alice" });
  expect(fresh.warning).toBeNull();
  await caption("The new value works too, without a warning.");

  await reveal.getByRole("button", { name: "Done", exact: true }).click();
  await expect(await tableCell(table, row, "Status")).toContainText("Old value works until");
  await caption("Her key list says until when the old value works.");
  await screenshot("old-value-works-until");
});

test("8. the key leaks: a secret scanner reports it and Keyhouse revokes it", async ({ baseURL }) => {
  const leaked = aliceKey;
  await caption(`Oops: the new value is committed to a public repository (${LEAK_URL}).`);
  await caption("GitHub secret scanning finds it and reports it to Keyhouse: POST /api/leaks, no sign-in.");
  const answer = await fetch(`${baseURL}/api/leaks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ token: leaked, url: LEAK_URL, source: "content" }]),
  });
  expect(answer.status).toBe(200);
  const labels = (await answer.json()) as { token_hash: string; label: string }[];
  expect(labels).toEqual([{ token_hash: createHash("sha256").update(leaked).digest("hex"), label: "true_positive" }]);
  await caption("Keyhouse answers “true_positive”: it was a live key, and it is revoked at once.");

  // The value still in its overlap goes with the key.
  for (const value of [leaked, aliceReplacedKey]) {
    const refused = await npmWhoami(baseURL!, value);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe(INVALID_KEY_MESSAGE);
  }
  await caption("GET /npm/npm/-/whoami with either value, new or old, is refused now: 403.");

  await page.reload();
  const { table, row } = aliceKeyRow();
  await expect(await tableCell(table, row, "Status")).toContainText("Revoked");
  await caption("Her key list shows the key revoked.");
  await screenshot("leaked-key-revoked");

  await navLink(page, NAV.outbox).click();
  await expect(pageHeading(page, "Outbox")).toBeVisible();
  const notice = outboxNotice(`API key "${ALICE_KEY}" found in public and revoked`);
  await expect(notice).toBeVisible();
  await notice.getByText("Show message", { exact: true }).click();
  await expect(notice).toContainText(`was reported as found at ${LEAK_URL} (source: content)`);
  await caption("Her Outbox says where it was found, and what to do next.");
  await screenshot("outbox-leak-notice");
});
