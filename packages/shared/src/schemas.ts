import { z } from "zod";
import { DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, GLOB_MAX, KEY_NAME_MAX, MESSAGES, PACKAGE_ID_MAX, PACKAGES_PER_KEY_MAX, SCOPES } from "./constants.ts";
import { invalidGlobChars } from "./glob.ts";
import { allowedNetworksSchema } from "./networks.ts";
import { configureZod } from "./zod-config.ts";

configureZod();

// Each schema is used by the wizard's form (react-hook-form) and again by the server,
// so the messages are written for people and are the ones docs/screens.md names.

export const loginInputSchema = z.object({
  username: z.string({ error: "Enter your user name." }).trim().min(1, "Enter your user name.").max(64, "The user name must be at most 64 characters."),
  // Not trimmed: spaces may be part of a password.
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(256, "The password must be at most 256 characters."),
});

export const keyNameSchema = z
  .string({ error: MESSAGES.keyNameRequired })
  .trim()
  .min(1, MESSAGES.keyNameRequired)
  .max(KEY_NAME_MAX, `The key name must be at most ${KEY_NAME_MAX} characters.`);

export function invalidGlobMessage(chars: readonly string[]): string {
  const listed = chars.map((ch) => `"${ch}"`).join(", ");
  return `The glob pattern contains characters that are not allowed: ${listed}. Use letters, digits, ".", "-", "_", "@", "/" and "*".`;
}

/** Absent, null and "" (after trimming) all mean "no glob" and come out as undefined. */
export const globSchema = z
  .string({ error: "The glob pattern must be text." })
  .trim()
  .max(GLOB_MAX, `The glob pattern must be at most ${GLOB_MAX} characters.`)
  .superRefine((glob, ctx) => {
    const bad = invalidGlobChars(glob);
    if (bad.length > 0) ctx.addIssue({ code: "custom", message: invalidGlobMessage(bad) });
  })
  .nullish()
  .transform((glob) => (glob ? glob : undefined));

export const expiresInDaysSchema = z.literal(EXPIRY_DAYS, { error: "Choose one of 1, 30, 90, 180, 270 or 365 days." }).default(DEFAULT_EXPIRY_DAYS);

export const scopesSchema = z
  .array(z.enum(SCOPES, { error: 'Unknown scope: use "push", "update" or "unlist".' }), {
    error: MESSAGES.scopeRequired,
  })
  .min(1, MESSAGES.scopeRequired)
  .transform((scopes) => [...new Set(scopes)]);

/** Package ids are case-insensitive, so duplicates differing only in case are dropped (first one kept). */
export const packagesSchema = z
  .array(
    z
      .string({ error: "A package ID must be text." })
      .trim()
      .min(1, "A package ID cannot be empty.")
      .max(PACKAGE_ID_MAX, `A package ID must be at most ${PACKAGE_ID_MAX} characters.`),
    { error: "The packages must be a list of package IDs." },
  )
  .max(PACKAGES_PER_KEY_MAX, `At most ${PACKAGES_PER_KEY_MAX} packages can be selected.`)
  .transform((ids) => {
    const seen = new Set<string>();
    return ids.filter((id) => {
      const folded = id.toLowerCase();
      if (seen.has(folded)) return false;
      seen.add(folded);
      return true;
    });
  })
  .default([]);

/** Deny by default: a key must name what it may touch. */
const packagesOrGlobRequired = {
  check: (value: { packages?: readonly string[] | undefined; glob?: string | undefined }) => (value.packages?.length ?? 0) > 0 || (value.glob ?? "") !== "",
  params: { error: MESSAGES.packagesRequired, path: ["packages"] },
};

export const createKeyInputSchema = z
  .object({
    name: keyNameSchema,
    expiresInDays: expiresInDaysSchema,
    scopes: scopesSchema,
    packages: packagesSchema,
    glob: globSchema,
    /** "Allowed networks": empty or absent, anywhere. */
    allowedNetworks: allowedNetworksSchema.default([]),
  })
  .refine(packagesOrGlobRequired.check, packagesOrGlobRequired.params);

const KEY_ID_MESSAGE = "The key ID must be a positive whole number.";

export const updateKeyPackagesInputSchema = z
  .object({
    id: z.number({ error: KEY_ID_MESSAGE }).int(KEY_ID_MESSAGE).positive(KEY_ID_MESSAGE),
    packages: packagesSchema,
    glob: globSchema,
  })
  .refine(packagesOrGlobRequired.check, packagesOrGlobRequired.params);

/** Edit › "Allowed networks" of a scoped key; an empty list lifts the restriction. */
export const updateKeyNetworksInputSchema = z.object({
  id: z.number({ error: KEY_ID_MESSAGE }).int(KEY_ID_MESSAGE).positive(KEY_ID_MESSAGE),
  allowedNetworks: allowedNetworksSchema,
});
export type UpdateKeyNetworksInput = z.input<typeof updateKeyNetworksInputSchema>;
export type UpdateKeyNetworksOutput = z.output<typeof updateKeyNetworksInputSchema>;

/** Edit › "Alert me about new networks" of a key. */
export const updateKeyAlertsInputSchema = z.object({
  id: z.number({ error: KEY_ID_MESSAGE }).int(KEY_ID_MESSAGE).positive(KEY_ID_MESSAGE),
  alertNewNetworks: z.boolean({ error: "Say whether to alert about new networks (true or false)." }),
});

/**
 * Regenerate › "Keep the old value working for" (rotation with overlap, docs/presenting-keys.md):
 * how long the replaced value keeps working beside the new one; 0 ends it at once.
 */
export const OLD_VALUE_OVERLAPS = [
  { hours: 0, label: "No" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "1 day" },
  { hours: 168, label: "7 days" },
] as const;
export type OldValueOverlapHours = (typeof OLD_VALUE_OVERLAPS)[number]["hours"];

export const keepOldValueHoursSchema = z.literal(
  OLD_VALUE_OVERLAPS.map((o) => o.hours),
  { error: "Keep the old value working for 0 (no), 1, 24 or 168 hours." },
);

export const regenerateKeyInputSchema = z.object({
  id: z.number({ error: KEY_ID_MESSAGE }).int(KEY_ID_MESSAGE).positive(KEY_ID_MESSAGE),
  keepOldValueHours: keepOldValueHoursSchema.default(0),
});
export type RegenerateKeyInput = z.input<typeof regenerateKeyInputSchema>;

export type LoginInput = z.input<typeof loginInputSchema>;
export type LoginOutput = z.output<typeof loginInputSchema>;
export type CreateKeyInput = z.input<typeof createKeyInputSchema>;
export type CreateKeyOutput = z.output<typeof createKeyInputSchema>;
export type UpdateKeyPackagesInput = z.input<typeof updateKeyPackagesInputSchema>;
export type UpdateKeyPackagesOutput = z.output<typeof updateKeyPackagesInputSchema>;
