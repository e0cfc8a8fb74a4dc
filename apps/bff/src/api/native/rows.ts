// The rows Native API methods answer with, ProGet-style: PascalCase_Underscored column
// names, dates as ISO 8601 text, lists as comma-separated text. The schemas describe the
// answers in the OpenAPI document; the mappers make them from domain views. A key's
// value appears only as Key_Text, only in the answer that created or replaced it.
import { z } from "zod";
import type { KeyView } from "../../keys/views.ts";
import type { AccessLogRow } from "../../logs/rows.ts";

const date = z.string().describe("ISO 8601 date and time (UTC)");
const csv = (what: string) => z.string().describe(`${what}, separated by commas`);

export const apiKeyRowSchema = z.object({
  ApiKey_Id: z.number().int(),
  Key_Name: z.string(),
  ApiKey_Description: z.string().nullable(),
  ApiKey_Kind: z.enum(["scoped", "system", "legacy"]),
  Key_Hint: z.string().describe("The first and last characters of the key, to recognise it; never the key"),
  Owner_User_Name: z.string().nullable(),
  User_Name: z.string().nullable().describe("The user the key acts as; null on a system key: the API key user"),
  Systems_Apis_Csv: csv("The API groups the key may call: feeds, native, keys"),
  Scopes_Csv: csv("push, update, unlist"),
  Packages_Csv: csv("Package ids"),
  Globs_Csv: csv("Package id patterns"),
  Feeds_Csv: csv("Feed names").nullable().describe("The feeds the key is restricted to; null: every feed"),
  AllowedNetworks_Csv: csv("CIDRs").describe("The networks the key may be used from; empty: anywhere"),
  Expiration_Date: date.nullable(),
  LogRequestBody_Indicator: z.boolean(),
  LogResponseBody_Indicator: z.boolean(),
  Created_Date: date,
  LastUsed_Date: date.nullable(),
  LastUsed_Address: z.string().nullable(),
  Revoked_Date: date.nullable(),
  Revoked_Reason: z.string().nullable(),
  Status_Text: z.string().describe('e.g. "Active", "Expires in 3 days", "Expired", "Revoked"'),
  Key_Text: z.string().optional().describe("The key itself: only in the answer that generated or set it, never again"),
});
export type ApiKeyRow = z.infer<typeof apiKeyRowSchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiKeyRow(k: KeyView, value?: string | null): ApiKeyRow {
  return {
    ApiKey_Id: k.id,
    Key_Name: k.name,
    ApiKey_Description: k.description,
    ApiKey_Kind: k.kind,
    Key_Hint: k.hint,
    Owner_User_Name: k.owner?.username ?? null,
    User_Name: k.user?.username ?? null,
    Systems_Apis_Csv: k.apis.join(","),
    Scopes_Csv: k.scopes.join(","),
    Packages_Csv: k.packages.join(","),
    Globs_Csv: k.globs.join(","),
    Feeds_Csv: k.feeds ? k.feeds.join(",") : null,
    AllowedNetworks_Csv: k.allowedNetworks.join(","),
    Expiration_Date: iso(k.expiresAt),
    LogRequestBody_Indicator: k.logRequestBody,
    LogResponseBody_Indicator: k.logResponseBody,
    Created_Date: k.createdAt.toISOString(),
    LastUsed_Date: iso(k.lastUsedAt),
    LastUsed_Address: k.lastUsedIp,
    Revoked_Date: iso(k.revokedAt),
    Revoked_Reason: k.revokedReason,
    Status_Text: k.status.label,
    ...(value ? { Key_Text: value } : {}),
  };
}

export const accessLogRowSchema = z.object({
  Log_Id: z.number().int(),
  Request_Date: date,
  ApiKey_Id: z.number().int().nullable().describe("The key presented; null when it matched no key"),
  Key_Name: z.string().nullable(),
  User_Name: z.string().nullable().describe("The user the call acted as; null for the API key user or an invalid key"),
  Method_Code: z.string(),
  Path_Text: z.string().describe("Path and query, with secrets removed"),
  Status_Code: z.number().int(),
  Duration_Ms: z.number(),
  Client_Address: z.string().nullable(),
});
export type AccessLogRowOut = z.infer<typeof accessLogRowSchema>;

export function accessLogRow(e: AccessLogRow): AccessLogRowOut {
  return {
    Log_Id: e.id,
    Request_Date: e.at.toISOString(),
    ApiKey_Id: e.keyId,
    Key_Name: e.keyName,
    User_Name: e.username,
    Method_Code: e.method,
    Path_Text: e.path,
    Status_Code: e.status,
    Duration_Ms: e.durationMs,
    Client_Address: e.ip,
  };
}

export const feedRowSchema = z.object({
  Feed_Id: z.number().int(),
  Feed_Name: z.string(),
  FeedType_Name: z.enum(["nuget", "npm", "rubygems"]),
  AllowAnonymousReads_Indicator: z.boolean(),
  Created_Date: date,
});
export type FeedRowOut = z.infer<typeof feedRowSchema>;

export function feedRow(f: { id: number; name: string; type: string; anonymousReads: boolean; createdAt: Date }): FeedRowOut {
  return {
    Feed_Id: f.id,
    Feed_Name: f.name,
    FeedType_Name: f.type as FeedRowOut["FeedType_Name"],
    AllowAnonymousReads_Indicator: f.anonymousReads,
    Created_Date: f.createdAt.toISOString(),
  };
}

export const userRowSchema = z.object({
  User_Id: z.number().int(),
  User_Name: z.string(),
  Display_Name: z.string(),
  Email_Address: z.string(),
  Admin_Indicator: z.boolean(),
  Disabled_Indicator: z.boolean(),
  Created_Date: date,
});
export type UserRowOut = z.infer<typeof userRowSchema>;

export function userRow(u: { id: number; username: string; displayName: string; email: string; role: string; disabled: boolean; createdAt: Date }): UserRowOut {
  return {
    User_Id: u.id,
    User_Name: u.username,
    Display_Name: u.displayName,
    Email_Address: u.email,
    Admin_Indicator: u.role === "admin",
    Disabled_Indicator: u.disabled,
    Created_Date: u.createdAt.toISOString(),
  };
}

export const packageRowSchema = z.object({
  Feed_Name: z.string(),
  Package_Name: z.string(),
  Version_Text: z.string(),
  Listed_Indicator: z.boolean(),
  Deprecated_Text: z.string().nullable().describe("The deprecation message; null when not deprecated"),
  Size_Bytes: z.number().int(),
  Sha512_Hash: z.string().describe("base64"),
  Owners_Csv: csv("User names of the package's owners"),
  PushedBy_User_Name: z.string().nullable(),
  Published_Date: date,
});
export type PackageRowOut = z.infer<typeof packageRowSchema>;
