// Shared fixtures and helpers for the end-to-end tests.
//
// Every test acts from its own client address (an X-Forwarded-For header on every
// request its browser context makes; the e2e server trusts it), so the per-address
// sign-in throttle never carries over from one test to another. A test that wants a
// particular address says so with `test.use({ clientAddress: "203.0.113.7" })`
// (`test.use({ extraHTTPHeaders: { "x-forwarded-for": … } })` works too, but then
// replaces every extra header and leaves `clientAddress` unaware of it).
//
// Helpers find things the way people do: by role and accessible name, or by label.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test as base, type Locator, type Page } from "@playwright/test";

export { expect };

/** The demo seed's password for every user (docs/screens.md); the e2e server leaves it at the default. */
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "keyhouse-demo";

export const DEMO_USERS = {
  admin: { displayName: "Administrator", role: "admin" },
  alice: { displayName: "Alice Archer", role: "user" },
  bob: { displayName: "Bob Baker", role: "user" },
} as const;
export type DemoUser = keyof typeof DEMO_USERS;

export const WRONG_CREDENTIALS = "The user name or password is incorrect.";
export const THROTTLED = /^Too many failed sign-in attempts from your address\. Try again in \d+ (seconds|minutes)\.$/;

/** The nav links' accessible names, exactly as people read them. */
export const NAV = {
  accountKeys: "Account › API keys",
  adminKeys: "Admin › API keys",
  adminLogs: "Admin › Access logs",
  outbox: "Outbox",
} as const;

// Addresses handed out automatically come from 10.0.0.0/8; tests that pick their own
// should use the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
// The worker index is unique for the whole run (a restarted worker gets a new one).
let addressesHandedOut = 0;
function nextClientAddress(workerIndex: number): string {
  const n = ++addressesHandedOut;
  return `10.${workerIndex % 256}.${(n >> 8) % 256}.${n % 256}`;
}

type Fixtures = {
  /** This test's client address, as the server sees it. */
  clientAddress: string;
  /** Signs in through the API (not the form); the session cookie lands in the page's context. */
  signInAs: (username: DemoUser) => Promise<void>;
};

export const test = base.extend<Fixtures>({
  clientAddress: async ({}, use, testInfo) => {
    await use(nextClientAddress(testInfo.workerIndex));
  },

  // Whatever else the config asks for, plus this test's address.
  extraHTTPHeaders: async ({ extraHTTPHeaders, clientAddress }, use) => {
    await use({ ...extraHTTPHeaders, "x-forwarded-for": clientAddress });
  },

  signInAs: async ({ page }, use) => {
    await use(async (username) => {
      // page.request shares the browser context's cookies and extra headers (the address).
      const response = await page.request.post("/trpc/auth.login", {
        headers: { "x-csrf-token": "anonymous" },
        data: { username, password: DEMO_PASSWORD },
      });
      expect(response.status(), `signing in as ${username}: ${await response.text()}`).toBe(200);
      const body = (await response.json()) as { result?: { data?: { user?: { username?: string } } } };
      expect(body.result?.data?.user?.username).toBe(username);
    });
  },
});

// ---- Finding things -------------------------------------------------------------------

export function signInForm(page: Page) {
  return {
    heading: page.getByRole("heading", { name: "Sign in to Keyhouse" }),
    userName: page.getByLabel("User name", { exact: true }),
    password: page.getByLabel("Password", { exact: true }),
    submit: page.getByRole("button", { name: "Sign in", exact: true }),
    alert: page.getByRole("alert"),
  };
}

export function mainNav(page: Page): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

export function navLink(page: Page, name: string): Locator {
  return mainNav(page).getByRole("link", { name, exact: true });
}

export function signOutButton(page: Page): Locator {
  return page.getByRole("button", { name: "Sign out", exact: true });
}

export function pageHeading(page: Page, name: string): Locator {
  return page.getByRole("main").getByRole("heading", { level: 1, name, exact: true });
}

// ---- Doing things -----------------------------------------------------------------------

/** Fills and submits the sign-in form; resolves once the server has answered. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  const form = signInForm(page);
  await form.userName.fill(username);
  await form.password.fill(password);
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === "/trpc/auth.login");
  await form.submit.click();
  await answered;
}

/** The shell a signed-in user sees: their name in the header, "Sign out", and the main nav. */
export async function expectSignedInShell(page: Page, username: DemoUser): Promise<void> {
  const { displayName, role } = DEMO_USERS[username];
  await expect(page.getByRole("banner")).toContainText(`Signed in as ${displayName}`);
  await expect(signOutButton(page)).toBeVisible();
  await expect(navLink(page, NAV.accountKeys)).toBeVisible();
  await expect(navLink(page, NAV.outbox)).toBeVisible();
  if (role === "admin") {
    await expect(navLink(page, NAV.adminKeys)).toBeVisible();
    await expect(navLink(page, NAV.adminLogs)).toBeVisible();
  } else {
    await expect(mainNav(page).getByRole("link", { name: /^Admin/ })).toHaveCount(0);
  }
}

/** The sign-in page, with no trace of a signed-in shell. */
export async function expectSignInPage(page: Page): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === "/login");
  await expect(signInForm(page).heading).toBeVisible();
  await expect(signOutButton(page)).toHaveCount(0);
  await expect(mainNav(page)).toHaveCount(0);
}

// ---- API keys ---------------------------------------------------------------------------

/** docs/authorization.md: the answer to an invalid, expired or revoked key. */
export const INVALID_KEY_MESSAGE = "The specified API key is invalid, has expired, or does not have permission to access the specified package.";

/** docs/presenting-keys.md: what the reveal says under a new key. */
export const REVEAL_WARNING = "Make sure to copy your new API key now. You will not be able to see it again.";

/** A generated key: khk_, 30 random base62 characters, a 6-character checksum. */
export const GENERATED_KEY = /^khk_[0-9A-Za-z]{36}$/;

/** The 30-character random part of a generated key (what must never be stored, even cut out of it). */
export function randomPartOf(key: string): string {
  return key.slice("khk_".length, "khk_".length + 30);
}

/**
 * The cell of `row` under the column headed `column` (its text content, whatever the
 * CSS case), counting a row header as a cell, as a person reading across the row does.
 */
export async function tableCell(table: Locator, row: Locator, column: string): Promise<Locator> {
  // The table may still be loading (a reload, a navigation): wait for its row first.
  await expect(row).toHaveCount(1);
  const headers = (await table.getByRole("columnheader").allTextContents()).map((h) => h.trim());
  const index = headers.indexOf(column);
  expect(index, `a column headed "${column}" among ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(0);
  return row.getByRole("rowheader").or(row.getByRole("cell")).nth(index);
}

/** Every value of a form control on the page (a textarea's or input's value is not in its markup). */
export async function controlValues(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea"), (el) => el.value));
}

/**
 * Reads the e2e server's whole SQLite database (keyhouse.db and its -wal, -shm or
 * -journal beside it) as bytes and fails if any of `secrets` occurs in it, as UTF-8 or
 * UTF-16. docs/presenting-keys.md: a key's plaintext is never stored. `present` are texts that must be
 * found (a key's name, say): proof that the bytes read are the database being written.
 */
export async function expectNotInDatabase(secrets: readonly string[], { present = [] }: { present?: readonly string[] } = {}): Promise<void> {
  const { readdirSync, readFileSync } = await import("node:fs");
  const path = await import("node:path");
  const dir = process.env.E2E_DATA_DIR;
  expect(dir, "E2E_DATA_DIR is set by playwright.config.ts").toBeTruthy();
  const files = readdirSync(dir!).filter((name) => name === "keyhouse.db" || name.startsWith("keyhouse.db-"));
  expect(files, "the database file exists").toContain("keyhouse.db");
  expect(secrets.length, "there are values to look for").toBeGreaterThan(0);
  const all = files.map((file) => ({ file, bytes: readFileSync(path.join(dir!, file)) }));
  for (const text of present) {
    expect(
      all.some(({ bytes }) => bytes.includes(Buffer.from(text, "utf8"))),
      `the database holds "${text}"`,
    ).toBe(true);
  }
  for (const { file, bytes } of all) {
    for (const secret of secrets) {
      expect(secret.length, "a secret worth looking for").toBeGreaterThanOrEqual(20);
      const found = bytes.includes(Buffer.from(secret, "utf8")) || bytes.includes(Buffer.from(secret, "utf16le"));
      expect(found, `${file} (${bytes.length} bytes) contains the secret ${secret.slice(0, 8)}…`).toBe(false);
    }
  }
}

/**
 * Waits until the access log holds at least `count` entries of the key: they are written
 * in batches, off the request path, and a check of the database must see them too.
 */
export async function waitForAccessLog(page: Page, keyId: number, count: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/trpc/logs.list?input=${encodeURIComponent(JSON.stringify({ key: keyId }))}`);
        if (response.status() !== 200) return -1;
        return ((await response.json()) as { result: { data: { rows: unknown[] } } }).result.data.rows.length;
      },
      { message: `the access log has the ${count} requests made with key ${keyId}`, timeout: 10_000 },
    )
    .toBeGreaterThanOrEqual(count);
}

/**
 * `npm publish` with the real npm CLI from a temporary project whose .npmrc holds the key (its
 * own cache and user config, so the runner's npm set-up stays out). Answers npm's output;
 * rejects with npm's error (its `stderr` says why) when the publish is refused.
 */
export async function npmPublish(
  registry: string,
  key: string,
  manifest: { name: string; version: string; description?: string },
  indexJs = "module.exports = 1;\n",
): Promise<string> {
  const project = mkdtempSync(path.join(os.tmpdir(), "keyhouse-e2e-npm-"));
  try {
    const host = registry.replace(/^https?:/, "");
    writeFileSync(path.join(project, ".npmrc"), `registry=${registry}\n${host}:_authToken=${key}\n`);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ ...manifest, main: "index.js", license: "MIT" }, null, 2));
    writeFileSync(path.join(project, "index.js"), indexJs);
    const env = {
      ...process.env,
      npm_config_cache: path.join(project, ".npm-cache"),
      npm_config_userconfig: path.join(project, ".npmrc"),
      npm_config_update_notifier: "false",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    const { stdout, stderr } = await promisify(execFile)("npm", ["publish", "--access", "public"], { cwd: project, env, timeout: 60_000 });
    return `${stdout}\n${stderr}`;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
