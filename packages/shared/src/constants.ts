// The product's fixed vocabulary (docs/README.md, docs/presenting-keys.md, docs/screens.md). Texts here are part of the
// contract: the browser and the server must show the very same words.

export const SCOPES = ["push", "update", "unlist"] as const;
export type Scope = (typeof SCOPES)[number];

export const APIS = ["feeds", "native", "keys"] as const;
export type Api = (typeof APIS)[number];

export const KEY_KINDS = ["scoped", "system", "legacy"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const FEED_TYPES = ["nuget", "npm", "rubygems"] as const;
export type FeedType = (typeof FEED_TYPES)[number];

export const ROLES = ["admin", "user"] as const;
export type Role = (typeof ROLES)[number];

export const EXPIRY_DAYS = [1, 30, 90, 180, 270, 365] as const;
export type ExpiryDays = (typeof EXPIRY_DAYS)[number];
export const DEFAULT_EXPIRY_DAYS = 365 satisfies ExpiryDays;

/** A key this close to expiry gets a warning on every response and an "Expires in N days" status. */
export const EXPIRY_WARNING_DAYS = 10;

export const KEY_PREFIX = "khk_";
export const MIN_CUSTOM_KEY_LENGTH = 20;
// An upper bound keeps hashing and header sizes sane; no real custom key comes close.
export const MAX_CUSTOM_KEY_LENGTH = 200;
export const KEY_NAME_MAX = 64;
export const GLOB_MAX = 128;
export const PACKAGE_ID_MAX = 200;
export const PACKAGES_PER_KEY_MAX = 1000;

export const SCOPE_LABELS = {
  push: { label: "Push", hint: "New packages and versions" },
  update: { label: "Update", hint: "Only new versions of existing packages" },
  unlist: { label: "Unlist", hint: "Unlist and relist" },
} as const satisfies Record<Scope, { label: string; hint: string }>;

export const MESSAGES = {
  keyNameRequired: "The key name is required.",
  scopeRequired: "At least one scope must be selected.",
  packagesRequired: "Either a glob pattern must be specified or at least one package must be selected.",
  invalidKey: "The specified API key is invalid, has expired, or does not have permission to access the specified package.",
  revealWarning: "Make sure to copy your new API key now. You will not be able to see it again.",
} as const;

export const DAY_MS = 24 * 60 * 60 * 1000;
