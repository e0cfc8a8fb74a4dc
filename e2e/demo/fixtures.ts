// Fixtures for your own Playwright scripts against Keyhouse (README "Demo"): sign in through
// the API instead of the form, and make keys without clicking through the wizard, so a
// script spends its time on what it is about. The demo (tour.spec.ts) uses them too.
//
//   import { expect, test } from "../demo/fixtures";
//   test("alice publishes", async ({ page, signInAs, keyhouseAs }) => {
//     const alice = await keyhouseAs("alice");
//     const { value } = await alice.createKey({ name: "CI", scopes: ["push"], packages: ["npm/@contoso/core"] });
//     await signInAs("alice"); // the page's context now holds alice's session
//     …
//   });
//
// Who may do what, and the messages, are in docs/authorization.md; the Native API in docs/api.md.
import { request as playwrightRequest, type APIRequestContext, type APIResponse } from "@playwright/test";
import { DEMO_PASSWORD, expect, test as base, type DemoUser } from "../fixtures";

export { DEMO_PASSWORD, DEMO_USERS, expect, NAV, navLink, pageHeading, signInForm, submitSignIn, type DemoUser } from "../fixtures";

/** A key as the tRPC API answers it (the fields a script usually needs). */
export type KeyView = { id: number; name: string; [field: string]: unknown };
/** A key that was just made: its value is answered this once and never again. */
export type NewKey = { key: KeyView; value: string };

export type ScopedKeyInput = {
  name: string;
  /** push: new packages and versions; update: new versions only; unlist: unlist and relist. */
  scopes: ("push" | "update" | "unlist")[];
  /** Packages the user owns, as feed/id ("npm/@contoso/core", docs/authorization.md); these, a glob, or both. */
  packages?: string[];
  glob?: string;
  /** One of 1, 30, 90, 180, 270 or 365; 30 when not given. */
  expiresInDays?: number;
};

export type SystemKeyInput = {
  description: string;
  apis: ("feeds" | "native" | "keys")[];
  /** A fixed value (tools that need one); a generated khk_ key when not given. */
  customKey?: string;
  name?: string;
  /** Act as this user; the API key user (every privilege) when not given. */
  user?: string;
  /** Only these feeds; every feed when empty. */
  feeds?: string[];
  expiresAt?: string;
};

/** A signed-in user's own API client (its cookies apart from any page's). */
export type KeyhouseClient = {
  username: DemoUser;
  request: APIRequestContext;
  /** Calls a tRPC mutation with the session's CSRF token; fails the test unless it answers 200. */
  mutate<T>(procedure: string, input?: unknown): Promise<T>;
  /** Calls a tRPC query; fails the test unless it answers 200. */
  query<T>(procedure: string, input?: unknown): Promise<T>;
  /** Account › API keys › Create, through the API. */
  createKey(input: ScopedKeyInput): Promise<NewKey>;
  /** Admin › API keys › Create system key, through the API (admins only). */
  createSystemKey(input: SystemKeyInput): Promise<NewKey>;
};

type TrpcAnswer<T> = { result: { data: T } };

async function dataOf<T>(response: APIResponse, what: string): Promise<T> {
  expect(response.status(), `${what}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as TrpcAnswer<T>).result.data;
}

type Fixtures = {
  /**
   * Signs `username` in through the API, in a request context of its own from this test's
   * client address, and answers a client that makes keys and calls tRPC as that user.
   */
  keyhouseAs: (username: DemoUser) => Promise<KeyhouseClient>;
};

export const test = base.extend<Fixtures>({
  keyhouseAs: async ({ baseURL, clientAddress }, use) => {
    const opened: APIRequestContext[] = [];
    await use(async (username) => {
      const request = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": clientAddress } });
      opened.push(request);
      const login = await request.post("/trpc/auth.login", { headers: { "x-csrf-token": "anonymous" }, data: { username, password: DEMO_PASSWORD } });
      expect(login.status(), `signing in as ${username}: ${await login.text()}`).toBe(200);
      const { csrfToken } = await dataOf<{ csrfToken: string }>(await request.get("/trpc/auth.me"), "auth.me");
      const mutate = async <T>(procedure: string, input?: unknown) =>
        dataOf<T>(await request.post(`/trpc/${procedure}`, { headers: { "x-csrf-token": csrfToken }, data: input ?? null }), procedure);
      const query = async <T>(procedure: string, input?: unknown) =>
        dataOf<T>(await request.get(`/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`), procedure);
      return {
        username,
        request,
        mutate,
        query,
        createKey: ({ expiresInDays = 30, packages = [], glob = "", ...rest }) => mutate<NewKey>("keys.create", { ...rest, expiresInDays, packages, glob }),
        createSystemKey: ({ customKey, ...rest }) =>
          mutate<NewKey>("adminKeys.create", { ...rest, keyMode: customKey ? "custom" : "generate", ...(customKey ? { customKey } : {}) }),
      };
    });
    for (const request of opened) await request.dispose();
  },
});
