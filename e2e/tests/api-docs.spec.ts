// The API reference at /api/docs: Scalar renders the OpenAPI document in the browser,
// from our own origin only, without a CSP violation or a request anywhere else.
import { expect, test } from "../fixtures";

test("the API reference renders the Native and management APIs from this origin alone", async ({ page, baseURL }) => {
  const problems: string[] = [];
  const elsewhere: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || /Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${baseURL}/`) && !url.startsWith("data:")) elsewhere.push(url);
  });

  const response = await page.goto("/api/docs");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Keyhouse Native API and API-keys management API" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("ApiKeys_GetApiKeys").first()).toBeAttached();
  await page.getByRole("button", { name: "Open Group - API-keys management API" }).click();
  await expect(page.getByText("/api/api-keys/list").first()).toBeAttached();

  expect(problems).toEqual([]);
  expect(elsewhere).toEqual([]);
});
