// Secrets never reach the access log: query parameters and body fields that carry keys,
// passwords or tokens are replaced, whatever their case or nesting.

/**
 * The one list of names whose values are secrets; scrub.ts (what the access log stores)
 * uses it too. Written as compared: lower case, without "_" and "-", so "API_Key",
 * "apiKey" and "X-Api-Key" all match whatever way a client spells them.
 */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  // Where keys are presented (docs/presenting-keys.md), by feeds, clients and the Native API.
  "key",
  "apikey",
  "xapikey",
  "xnugetapikey",
  "gemhostapikey",
  // The Native API's arguments that carry a key value or a password.
  "keytext",
  "apikeytext",
  "customkey",
  "passwordtext",
  // Passwords.
  "password",
  "pass",
  "passwd",
  "newpassword",
  "currentpassword",
  "oldpassword",
  // Tokens: npm's _authToken and _auth, OAuth-style ones, one-time passwords.
  "token",
  "authtoken",
  "auth",
  "authorization",
  "accesstoken",
  "refreshtoken",
  "npmtoken",
  "otp",
  // Other secrets.
  "secret",
  "clientsecret",
  "secretkey",
  "privatekey",
]);

export const REDACTED = "[redacted]";

export function isSecretName(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name.toLowerCase().replace(/[-_]/g, ""));
}
