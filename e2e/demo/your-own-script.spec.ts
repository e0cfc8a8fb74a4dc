// The README's "Write your own" example, run with the demo so it keeps working: the exported
// fixtures sign in and make a key through the API; the page is then checked by role.
import { expect, test } from "./fixtures";

test("a key made through the API works on the npm feed", async ({ page, baseURL, keyhouseAs, signInAs }) => {
  const alice = await keyhouseAs("alice");
  const { key, value } = await alice.createKey({ name: "Release bot", scopes: ["push"], packages: ["npm/@contoso/web"] });

  const whoami = await fetch(`${baseURL}/npm/npm/-/whoami`, { headers: { authorization: `Bearer ${value}` } });
  expect(await whoami.json()).toEqual({ username: "alice" });

  await signInAs("alice");
  await page.goto("/account/api-keys");
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${key.name}`) }) });
  await expect(row).toContainText("@contoso/web");
});
