// Signing in and out, the guards around signed-in and admin pages, the 404 page,
// keyboard use of the sign-in page, and the shell at phone width (docs/screens.md).
import { request as playwrightRequest, type Page } from "@playwright/test";
import {
  DEMO_PASSWORD,
  expect,
  expectSignedInShell,
  expectSignInPage,
  mainNav,
  NAV,
  navLink,
  pageHeading,
  signInForm,
  signOutButton,
  submitSignIn,
  test,
  THROTTLED,
  WRONG_CREDENTIALS,
} from "../fixtures";

/** The /login URL a signed-out visit to `path` is sent to. */
function isLoginRedirectFor(path: string) {
  return (url: URL) => url.pathname === "/login" && url.searchParams.get("redirect") === path;
}

/** What the server says about a session cookie, asked from outside the browser. */
async function sessionFor(baseURL: string, cookieHeader: string): Promise<unknown> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie: cookieHeader } });
  try {
    const response = await api.get("/trpc/auth.me");
    expect(response.status()).toBe(200);
    return ((await response.json()) as { result: { data: unknown } }).result.data;
  } finally {
    await api.dispose();
  }
}

async function cookieHeaderOf(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

test.describe("signing in and out", () => {
  test("alice signs in through the form and sees her shell, without the admin links", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();
    await expect(page).toHaveTitle("Sign in · Keyhouse");

    await submitSignIn(page, "alice", DEMO_PASSWORD);

    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expect(pageHeading(page, "API keys")).toBeVisible();
    await expectSignedInShell(page, "alice");
    await expect(navLink(page, NAV.adminKeys)).toHaveCount(0);
    await expect(navLink(page, NAV.adminLogs)).toHaveCount(0);
    await expect(navLink(page, NAV.accountKeys)).toHaveAttribute("aria-current", "page");
    // The form is gone: nothing of it stays on the page after signing in.
    await expect(form.password).toHaveCount(0);
  });

  test("signing out returns to the sign-in page and ends the session on the server", async ({ page, signInAs, baseURL }) => {
    await signInAs("alice");
    await page.goto("/account/api-keys");
    await expectSignedInShell(page, "alice");
    const oldCookies = await cookieHeaderOf(page);
    expect(await sessionFor(baseURL!, oldCookies)).not.toBeNull();

    await signOutButton(page).click();

    await expectSignInPage(page);
    await expect(page.getByText("Alice Archer")).toHaveCount(0);
    // The old cookie no longer opens a session, even replayed from elsewhere.
    expect(await sessionFor(baseURL!, oldCookies)).toBeNull();

    // The app is no longer reachable: a signed-in page sends you to sign in, and back.
    await page.goto("/account/api-keys");
    await expect(page).toHaveURL(isLoginRedirectFor("/account/api-keys"));
    await expectSignInPage(page);

    await submitSignIn(page, "alice", DEMO_PASSWORD);
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys" && url.search === "");
    await expect(pageHeading(page, "API keys")).toBeVisible();
    await expectSignedInShell(page, "alice");
  });

  test("a signed-out visit to an admin page comes back to it after signing in", async ({ page }) => {
    await page.goto("/admin/access-logs");
    await expect(page).toHaveURL(isLoginRedirectFor("/admin/access-logs"));

    await submitSignIn(page, "admin", DEMO_PASSWORD);

    await expect(page).toHaveURL((url) => url.pathname === "/admin/access-logs");
    await expect(pageHeading(page, "Access logs")).toBeVisible();
  });

  test("a wrong password is refused with a message, and nobody is signed in", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);

    await submitSignIn(page, "alice", "not-the-password");

    await expect(form.alert).toHaveText(WRONG_CREDENTIALS);
    await expectSignInPage(page);
    // An unknown user gets the very same answer (no user-name probing).
    await submitSignIn(page, "nobody-by-this-name", DEMO_PASSWORD);
    await expect(form.alert).toHaveText(WRONG_CREDENTIALS);
    await expectSignInPage(page);
  });

  test("empty fields are explained next to them, without asking the server", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);
    let asked = false;
    page.on("request", (req) => {
      if (new URL(req.url()).pathname === "/trpc/auth.login") asked = true;
    });

    await form.submit.click();

    await expect(form.userName).toHaveAccessibleDescription("Enter your user name.");
    await expect(form.password).toHaveAccessibleDescription("Enter your password.");
    await expect(form.userName).toHaveAttribute("aria-invalid", "true");
    expect(asked).toBe(false);
  });
});

const WRONG_OR_THROTTLED = /^(The user name or password is incorrect\.|Too many failed sign-in attempts from your address\. .*)$/;

test.describe("the sign-in throttle", () => {
  // Its own address: this test locks it out for five minutes.
  test.use({ clientAddress: "203.0.113.10" });

  test("repeated wrong passwords from one address are refused for a while, even the right one then", async ({ page, browser, baseURL }) => {
    // The server makes each failure after the third wait longer (up to 2 s) on purpose.
    test.slow();
    await page.goto("/login");
    const form = signInForm(page);

    const MAX_ATTEMPTS = 12; // the server locks after 8 failures in 15 minutes
    let lockedAfter = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await submitSignIn(page, "alice", `wrong-${attempt}`);
      await expect(form.alert).toHaveText(WRONG_OR_THROTTLED);
      if (THROTTLED.test((await form.alert.textContent()) ?? "")) {
        lockedAfter = attempt;
        break;
      }
    }
    expect(lockedAfter, "the address was never locked out").toBeGreaterThan(1);
    expect(lockedAfter).toBeLessThanOrEqual(10);

    // Now even the right password is refused, through the form and through the API.
    await submitSignIn(page, "alice", DEMO_PASSWORD);
    await expect(form.alert).toHaveText(THROTTLED);
    await expectSignInPage(page);

    const direct = await page.request.post("/trpc/auth.login", {
      headers: { "x-csrf-token": "anonymous" },
      data: { username: "alice", password: DEMO_PASSWORD },
    });
    expect(direct.status()).toBe(429);
    expect(Number(direct.headers()["retry-after"])).toBeGreaterThan(0);

    // The lock-out is per address: from another one, alice still gets in.
    const elsewhere = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": "203.0.113.11" } });
    try {
      const other = await elsewhere.newPage();
      await other.goto("/login");
      await submitSignIn(other, "alice", DEMO_PASSWORD);
      await expect(other).toHaveURL((url) => url.pathname === "/account/api-keys");
      await expectSignedInShell(other, "alice");
    } finally {
      await elsewhere.close();
    }
  });
});

test.describe("admin pages", () => {
  for (const path of ["/admin/api-keys", "/admin/access-logs"]) {
    test(`a signed-in non-admin (bob) visiting ${path} is told access is denied`, async ({ page, signInAs }) => {
      await signInAs("bob");
      await page.goto(path);

      await expect(pageHeading(page, "Access denied")).toBeVisible();
      await expect(page).toHaveTitle("Access denied · Keyhouse");
      await expect(page).toHaveURL((url) => url.pathname === path);
      await expect(page.getByRole("main")).toContainText("This page is for administrators.");
      await expect(pageHeading(page, "Admin › API keys")).toHaveCount(0);
      await expect(pageHeading(page, "Access logs")).toHaveCount(0);
      await expectSignedInShell(page, "bob");

      await page.getByRole("link", { name: "Go to your API keys" }).click();
      await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
      await expect(pageHeading(page, "API keys")).toBeVisible();
    });
  }

  test("an admin sees the admin links and reaches the admin pages", async ({ page, signInAs }) => {
    await signInAs("admin");
    await page.goto("/account/api-keys");
    await expectSignedInShell(page, "admin");

    await navLink(page, NAV.adminKeys).click();
    await expect(page).toHaveURL((url) => url.pathname === "/admin/api-keys");
    await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
    await expect(navLink(page, NAV.adminKeys)).toHaveAttribute("aria-current", "page");

    await navLink(page, NAV.adminLogs).click();
    await expect(page).toHaveURL((url) => url.pathname === "/admin/access-logs");
    await expect(pageHeading(page, "Access logs")).toBeVisible();
    await expect(pageHeading(page, "Access denied")).toHaveCount(0);

    // And directly by address, on a fresh load.
    await page.goto("/admin/api-keys");
    await expect(pageHeading(page, "Admin › API keys")).toBeVisible();
    await expect(pageHeading(page, "Access denied")).toHaveCount(0);
  });
});

test.describe("unknown addresses", () => {
  test("show the 404 page inside the shell when signed in", async ({ page, signInAs }) => {
    await signInAs("alice");
    await page.goto("/no/such/page");

    await expect(pageHeading(page, "Page not found")).toBeVisible();
    await expect(page).toHaveTitle("Page not found · Keyhouse");
    await expect(page).toHaveURL((url) => url.pathname === "/no/such/page");
    await expectSignedInShell(page, "alice");

    await page.getByRole("link", { name: "Go to the home page" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expect(pageHeading(page, "API keys")).toBeVisible();
  });

  test("show the 404 page to a signed-out visitor too", async ({ page }) => {
    await page.goto("/definitely-not-a-page");
    await expect(pageHeading(page, "Page not found")).toBeVisible();
    await expect(signOutButton(page)).toHaveCount(0);
  });
});

test.describe("keyboard", () => {
  /** The focused element shows a focus indicator (an outline or a ring), not just :focus. */
  async function expectVisibleFocus(page: Page, name: string) {
    const indicator = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        focusVisible: el.matches(":focus-visible"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        ring: style.boxShadow !== "none",
      };
    });
    expect(indicator, `${name} has focus`).not.toBeNull();
    expect(indicator!.focusVisible, `${name} matches :focus-visible`).toBe(true);
    expect(indicator!.outline || indicator!.ring, `${name} shows an outline or ring`).toBe(true);
  }

  test("Tab from the page start reaches Skip to content, then the sign-in fields, with visible focus", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();

    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).not.toBeInViewport(); // hidden until focused
    await page.keyboard.press("Tab");
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await expectVisibleFocus(page, "Skip to content");

    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Keyhouse", exact: true })).toBeFocused();
    await expectVisibleFocus(page, "Keyhouse");

    await page.keyboard.press("Tab");
    await expect(form.userName).toBeFocused();
    await expectVisibleFocus(page, "User name");
    await page.keyboard.type("alice");

    await page.keyboard.press("Tab");
    await expect(form.password).toBeFocused();
    await expectVisibleFocus(page, "Password");
    await page.keyboard.type(DEMO_PASSWORD);

    await page.keyboard.press("Tab");
    await expect(form.submit).toBeFocused();
    await expectVisibleFocus(page, "Sign in");

    await page.keyboard.press("Enter");
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expectSignedInShell(page, "alice");
  });

  test("Skip to content moves focus to the page's content", async ({ page, signInAs }) => {
    await signInAs("alice");
    await page.goto("/account/api-keys");
    await expect(pageHeading(page, "API keys")).toBeVisible();

    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await page.keyboard.press("Enter");

    await expect(page.getByRole("main")).toBeFocused();
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    // The next Tab goes on from the content, past the header and nav.
    await page.keyboard.press("Tab");
    await expect(signOutButton(page)).not.toBeFocused();
    await expect(mainNav(page).getByRole("link").first()).not.toBeFocused();
  });

  test("Enter in the password field submits the form", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);
    await form.userName.fill("bob");
    await form.password.fill(DEMO_PASSWORD);
    await form.password.press("Enter");
    await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
    await expectSignedInShell(page, "bob");
  });
});

test.describe("phone width", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the sign-in page fits", async ({ page }) => {
    await page.goto("/login");
    const form = signInForm(page);
    for (const control of [form.userName, form.password, form.submit]) await expect(control).toBeInViewport();
    expect(await hasHorizontalScroll(page)).toBe(false);
  });

  test("the shell renders and every navigation link is reachable", async ({ page, signInAs }) => {
    await signInAs("admin");
    await page.goto("/account/api-keys");
    await expectSignedInShell(page, "admin");
    await expect(signOutButton(page)).toBeInViewport();
    expect(await hasHorizontalScroll(page)).toBe(false);

    const destinations: Array<[string, string, string]> = [
      [NAV.adminKeys, "/admin/api-keys", "Admin › API keys"],
      [NAV.adminLogs, "/admin/access-logs", "Access logs"],
      [NAV.outbox, "/outbox", "Outbox"],
      [NAV.accountKeys, "/account/api-keys", "API keys"],
    ];
    for (const [link, path, heading] of destinations) {
      await expect(navLink(page, link)).toBeInViewport();
      await navLink(page, link).tap();
      await expect(page).toHaveURL((url) => url.pathname === path);
      await expect(pageHeading(page, heading)).toBeVisible();
      expect(await hasHorizontalScroll(page), `${path} scrolls sideways`).toBe(false);
    }
  });
});

async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
