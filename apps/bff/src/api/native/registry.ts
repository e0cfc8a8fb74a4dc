// Every Native API method, by name. The router, the OpenAPI document and the reference
// page all read this one list.
import { createFeed, getFeeds } from "./feeds.ts";
import { createOrUpdateApiKey, deleteApiKey, getAccessLogs, getApiKey, getApiKeys, getUsage, revokeApiKey } from "./keys.ts";
import type { NativeMethod } from "./method.ts";
import { getPackages, setPackageListed } from "./packages.ts";
import { createOrUpdateUserMethod, getUsers } from "./users.ts";

export const NATIVE_METHODS: readonly NativeMethod[] = [
  getApiKeys,
  getApiKey,
  getUsage,
  createOrUpdateApiKey,
  revokeApiKey,
  deleteApiKey,
  getAccessLogs,
  getFeeds,
  createFeed,
  getUsers,
  createOrUpdateUserMethod,
  getPackages,
  setPackageListed,
];

const BY_NAME = new Map(NATIVE_METHODS.map((m) => [m.name.toLowerCase(), m]));

/** Method names match case-insensitively, as ProGet's do. */
export function findMethod(name: string): NativeMethod | undefined {
  return BY_NAME.get(name.toLowerCase());
}
