import { z } from "zod";
import { APIS, KEY_KINDS, MAX_CUSTOM_KEY_LENGTH, MESSAGES, MIN_CUSTOM_KEY_LENGTH } from "./constants.ts";
import { allowedNetworksSchema } from "./networks.ts";
import { isValidCustomKey } from "./key-format.ts";
import { expiresInDaysSchema, globSchema, keepOldValueHoursSchema, packagesSchema } from "./schemas.ts";
import { configureZod } from "./zod-config.ts";

configureZod();

// Admin › API keys (ProGet's "API Keys" dialog): the form and the server validate with
// these same schemas, and the Native API's ApiKeys_CreateOrUpdateApiKey maps onto them.

const optionalText = (max: number, label: string) =>
  z
    .string({ error: `${label} must be text.` })
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .nullish()
    .transform((v) => (v ? v : undefined));

export const customKeySchema = z
  .string({ error: "Enter the custom key value." })
  .min(MIN_CUSTOM_KEY_LENGTH, `A custom key must be at least ${MIN_CUSTOM_KEY_LENGTH} characters.`)
  .max(MAX_CUSTOM_KEY_LENGTH, `A custom key must be at most ${MAX_CUSTOM_KEY_LENGTH} characters.`)
  .refine(isValidCustomKey, 'A custom key may use printable characters without spaces, and must not start with "khk_" (that prefix is for generated keys).');

/** A blank custom value is no value (the form's empty text box when "Generate a key" is chosen). */
const optionalCustomKey = z
  .string({ error: "Enter the custom key value." })
  .optional()
  .transform((v) => (v === "" ? undefined : v))
  .pipe(customKeySchema.optional());

const systemKeyFields = {
  name: optionalText(64, "The name"),
  description: optionalText(1000, "The description"),
  apis: z
    .array(z.enum(APIS, { error: 'Unknown API: use "feeds", "native" or "keys".' }), { error: "Select at least one API." })
    .min(1, "Select at least one API.")
    .transform((apis) => [...new Set(apis)]),
  /** Impersonate this user (exact user name); empty: the API key user, with every privilege. */
  user: optionalText(64, "The user name"),
  /** Restrict to these feeds; empty: every feed. */
  feeds: z
    .array(z.string().trim().min(1).max(100), { error: "The feeds must be a list of feed names." })
    .max(100)
    .default([])
    .transform((feeds) => [...new Set(feeds)]),
  /** "Allowed networks"; absent on an update: unchanged. */
  allowedNetworks: allowedNetworksSchema.optional(),
  logRequestBody: z.boolean().default(false),
  logResponseBody: z.boolean().default(false),
  /** Empty (the form's blank date box), null or absent: never expires. */
  expiresAt: z
    .preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.coerce.date({ error: "The expiry must be a date, e.g. 2027-12-31." }).nullish())
    .optional()
    .transform((d) => d ?? null),
};

const customKeyRequired = {
  check: (v: { keyMode: string; customKey?: string | undefined }) => v.keyMode !== "custom" || Boolean(v.customKey),
  params: { error: "Enter the custom key value.", path: ["customKey"] },
};

export const createSystemKeyInputSchema = z
  .object({
    keyMode: z.enum(["generate", "custom"]).default("generate"),
    customKey: optionalCustomKey,
    ...systemKeyFields,
  })
  .refine(customKeyRequired.check, customKeyRequired.params);

/** What Admin › API keys sends: a key someone must later recognise has to say what it is for. */
export const DESCRIPTION_REQUIRED = "A description is required.";

/**
 * "Create system key" on the admin screen and adminKeys.create: the same fields with a
 * description required. The Native and management APIs keep ProGet's optional one.
 */
export const createSystemKeyFormSchema = createSystemKeyInputSchema.refine((v) => Boolean(v.description), {
  error: DESCRIPTION_REQUIRED,
  path: ["description"],
});

export const updateSystemKeyInputSchema = z
  .object({
    id: z
      .number({ error: "The key ID must be a positive whole number." })
      .int("The key ID must be a positive whole number.")
      .positive("The key ID must be a positive whole number."),
    /** keep: the value stays; generate/custom: a new value replaces it. */
    keyMode: z.enum(["keep", "generate", "custom"]).default("keep"),
    customKey: optionalCustomKey,
    /** With a new value: how long the replaced one keeps working (rotation with overlap); none: 0. */
    keepOldValueHours: keepOldValueHoursSchema.optional(),
    ...systemKeyFields,
  })
  .refine(customKeyRequired.check, customKeyRequired.params);

const ID_MESSAGE = "The key ID must be a positive whole number.";

/**
 * An administrator changes a user's scoped key (Admin › API keys): its packages and glob,
 * as the owner's "Edit packages" does, and optionally a new lifetime counted from now
 * (absent or null: the expiry stays).
 */
export const adminUpdateScopedKeyInputSchema = z
  .object({
    id: z.number({ error: ID_MESSAGE }).int(ID_MESSAGE).positive(ID_MESSAGE),
    expiresInDays: z.preprocess((v) => (v === "" || v === null ? undefined : v), expiresInDaysSchema.unwrap().optional()).optional(),
    packages: packagesSchema,
    glob: globSchema,
  })
  .refine((v) => v.packages.length > 0 || (v.glob ?? "") !== "", { error: MESSAGES.packagesRequired, path: ["packages"] });

export type AdminUpdateScopedKeyInput = z.input<typeof adminUpdateScopedKeyInputSchema>;
export type AdminUpdateScopedKeyOutput = z.output<typeof adminUpdateScopedKeyInputSchema>;

export const KEY_STATES = ["active", "expiring", "expired", "revoked", "legacy"] as const;
export const ADMIN_KEY_SORTS = ["created", "name", "expires", "lastUsed"] as const;

/** Filters of the admin key grid; also its URL search params. */
export const adminKeyListInputSchema = z.object({
  kind: z.enum(KEY_KINDS).optional().catch(undefined),
  owner: z.string().trim().max(64).optional().catch(undefined),
  user: z.string().trim().max(64).optional().catch(undefined),
  api: z.enum(APIS).optional().catch(undefined),
  status: z.enum(KEY_STATES).optional().catch(undefined),
  feed: z.string().trim().max(100).optional().catch(undefined),
  text: z.string().trim().max(200).optional().catch(undefined),
  /** "Broader than used": keys with rights they did not use in the advisor's window (docs/advisor.md). */
  broader: z.literal(true).optional().catch(undefined),
  sort: z.enum(ADMIN_KEY_SORTS).default("created").catch("created"),
  dir: z.enum(["asc", "desc"]).default("desc").catch("desc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  pageSize: z.coerce.number().int().min(5).max(100).default(25).catch(25),
});

export type CreateSystemKeyInput = z.input<typeof createSystemKeyInputSchema>;
export type CreateSystemKeyOutput = z.output<typeof createSystemKeyInputSchema>;
export type UpdateSystemKeyInput = z.input<typeof updateSystemKeyInputSchema>;
export type UpdateSystemKeyOutput = z.output<typeof updateSystemKeyInputSchema>;
export type AdminKeyListInput = z.output<typeof adminKeyListInputSchema>;
