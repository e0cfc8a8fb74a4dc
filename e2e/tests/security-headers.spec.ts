// The SPA is served under a Content-Security-Policy that allows only our own scripts,
// and the app itself never trips it.
import type { Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, expectSignedInShell, NAV, navLink, pageHeading, signInForm, signOutButton, submitSignIn, test } from "../fixtures";

function parseCsp(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** Everything the page says went wrong: CSP violations (as events and as console messages), errors, uncaught exceptions. */
async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" || /Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  // The browser's own report, independent of how it words the console message.
  await page.exposeFunction("__reportCspViolation", (report: string) => problems.push(`securitypolicyviolation: ${report}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} at ${event.sourceFile}:${event.lineNumber}`;
      (window as unknown as { __reportCspViolation: (r: string) => void }).__reportCspViolation(report);
    });
  });
  return problems;
}

test("the app page is served with a Content-Security-Policy whose script-src is 'self'", async ({ page }) => {
  for (const path of ["/login", "/account/api-keys", "/no-such-page"]) {
    const response = await page.goto(path);
    expect(response, path).not.toBeNull();
    expect(response!.status(), path).toBe(200);
    expect(response!.headers()["content-type"], path).toMatch(/^text\/html/);
    const headers = response!.headers();
    // Enforced, not merely reported.
    expect(headers["content-security-policy-report-only"], path).toBeUndefined();
    const csp = parseCsp(headers["content-security-policy"]);
    expect(csp.get("script-src"), `${path}: ${headers["content-security-policy"]}`).toEqual(["'self'"]);
    expect(csp.get("default-src"), path).toEqual(["'self'"]);
    expect(csp.get("object-src"), path).toEqual(["'none'"]);
  }
});

test("no CSP violations or errors while signing in, navigating and signing out", async ({ page }) => {
  const problems = await watchForProblems(page);

  await page.goto("/login");
  await expect(signInForm(page).heading).toBeVisible();
  await submitSignIn(page, "admin", DEMO_PASSWORD);
  await expect(page).toHaveURL((url) => url.pathname === "/account/api-keys");
  await expectSignedInShell(page, "admin");

  for (const [link, heading] of [
    [NAV.adminKeys, "Admin › API keys"],
    [NAV.adminLogs, "Access logs"],
    [NAV.outbox, "Outbox"],
    [NAV.accountKeys, "API keys"],
  ] as const) {
    await navLink(page, link).click();
    await expect(pageHeading(page, heading)).toBeVisible();
  }
  await page.goto("/no-such-page");
  await expect(pageHeading(page, "Page not found")).toBeVisible();
  await page.reload();
  await expect(pageHeading(page, "Page not found")).toBeVisible();

  await signOutButton(page).click();
  await expect(signInForm(page).heading).toBeVisible();

  // A caught `new Function("")` (zod 4's eval probe) is a violation too: it shows up only
  // as a securitypolicyviolation event, not in the console.
  expect(problems, "CSP violations or errors").toEqual([]);
});

test("the policy is enforced: an injected inline script is blocked and reported", async ({ page }) => {
  // Proves the watcher above can see a violation, so its empty list means something.
  const problems = await watchForProblems(page);
  await page.goto("/login");
  await expect(signInForm(page).heading).toBeVisible();

  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineRan = true;";
    document.body.append(script);
  });

  await expect.poll(() => problems.some((p) => p.startsWith("securitypolicyviolation: script-src"))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
});
