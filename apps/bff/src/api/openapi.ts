// The OpenAPI 3.1 document of the Native API and the API-keys management API, made from
// the very zod schemas the handlers validate with (z.toJSONSchema), so the document
// cannot drift from what the server accepts and answers.
import { z } from "zod";
import { acceptedWays } from "../http/present-key.ts";
import { apiKeyInfoCreateSchema, apiKeyInfoSchema } from "./management/api-key-info.ts";
import { keyUsageAdviceSchema } from "@keyhouse/shared";
import { MAX_LEAK_TOKENS, reportsSchema } from "../keys/leaks.ts";
import { LEAK_BODY_LIMIT_BYTES } from "./leaks.ts";
import { deleteArgsSchema, usageArgsSchema } from "./management/routes.ts";
import type { NativeMethod } from "./native/method.ts";
import { NATIVE_METHODS } from "./native/registry.ts";
import { accessLogRowSchema, apiKeyRowSchema, feedRowSchema, packageRowSchema, userRowSchema } from "./native/rows.ts";

type Json = Record<string, unknown>;

export const ARGUMENT_RULES =
  "Arguments come from the query string, from a JSON object body (Content-Type: application/json) or from a form body " +
  "(Content-Type: application/x-www-form-urlencoded). When the query string and the body give the same argument, the body's value is used. " +
  'Names match case-insensitively. Whole numbers and true/false may be sent as text ("5", "true"); lists as a JSON array or as text separated by commas. ' +
  "On methods that change something, an argument left out keeps its value, and null or an empty value clears it. " +
  "An unknown argument, a missing required one or a value of the wrong type answers 400 naming the argument. " +
  "The key presentation fields (key, API_Key) are never method arguments.";

const KEY_RULES =
  `Every call needs an API key, presented in ${acceptedWays({ kind: "api" })}. ` +
  "A key anywhere else is ignored; two different keys in one request answer 400. " +
  'No key answers 401; an invalid, expired or revoked key answers 403 "The specified API key is invalid, has expired, or does not have permission to access the specified package."; ' +
  'a valid key that lacks the API group or the privilege answers 403 naming what is missing. Native API calls need a key with the "native" API; ' +
  'management API calls need "keys" or "native". A key acts as its user (the impersonated user, or a scoped or legacy key\'s owner) and can do only what that user may; ' +
  "a system key with no user is the API key user, with full control. A key within 10 days of expiry gets an X-Keyhouse-Warning header on every answer.";

/** A zod schema as a JSON Schema fragment for embedding (no $schema). */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

const ROW_SCHEMAS = new Map<z.ZodType, string>([
  [apiKeyRowSchema, "ApiKeyRow"],
  [feedRowSchema, "FeedRow"],
  [userRowSchema, "UserRow"],
  [packageRowSchema, "PackageRow"],
  [accessLogRowSchema, "AccessLogRow"],
  [keyUsageAdviceSchema, "KeyUsage"],
]);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ref("Error") } } });
const ERRORS = {
  "400": { $ref: "#/components/responses/BadRequest" },
  "401": { $ref: "#/components/responses/NoKey" },
  "403": { $ref: "#/components/responses/Forbidden" },
  "404": { $ref: "#/components/responses/NotFound" },
};

/** The body schema of a method, plus the key presentation field that body type allows. */
function withKeyField(schema: Json, field: "API_Key" | "key"): Json {
  const properties = (schema.properties ?? {}) as Json;
  return {
    ...schema,
    properties: { ...properties, [field]: { type: "string", description: "The API key (one of the accepted places; see the security schemes)." } },
  };
}

function queryParameters(schema: Json): Json[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: "query", required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function nativePath(m: NativeMethod): Json {
  const args = jsonSchema(m.args, "input");
  const row = ROW_SCHEMAS.get(m.row);
  if (!row) throw new Error(`Native method ${m.name} answers rows with no schema name.`);
  const common = {
    tags: ["Native API"],
    summary: m.summary,
    description: `${m.description}\n\n${ARGUMENT_RULES}`,
    responses: {
      "200": { description: "A JSON array of rows.", content: { "application/json": { schema: { type: "array", items: ref(row) } } } },
      ...ERRORS,
    },
  };
  return {
    get: { ...common, operationId: `get_${m.name}`, parameters: queryParameters(args) },
    post: {
      ...common,
      operationId: `post_${m.name}`,
      parameters: queryParameters(args).map((p) => ({ ...p, required: false })),
      requestBody: {
        required: false,
        description: "The arguments, as a JSON object or a form (the body wins over the query string).",
        content: {
          "application/json": { schema: withKeyField(args, "API_Key") },
          "application/x-www-form-urlencoded": { schema: withKeyField(args, "key") },
        },
      },
    },
  };
}

function managementPaths(): Json {
  const del = jsonSchema(deleteArgsSchema, "input");
  const deleteOp = (verb: string) => ({
    tags: ["API-keys management API"],
    operationId: `${verb}_api_keys_delete`,
    summary: "Deletes an API key.",
    description: "Needs a key with the keys or native API. An impersonated user can delete only keys they own.",
    parameters: queryParameters(del),
    responses: {
      "200": {
        description: "The key was deleted.",
        content: {
          "application/json": { schema: { type: "object", properties: { id: { type: "integer" }, deleted: { const: true } }, required: ["id", "deleted"] } },
        },
      },
      ...ERRORS,
    },
  });
  return {
    "/api/api-keys/create": {
      post: {
        tags: ["API-keys management API"],
        operationId: "post_api_keys_create",
        summary: "Creates an API key from a ProGet ApiKeyInfo.",
        description:
          'Needs a key with the keys or native API, acting as an administrator or the API key user. type "system": a system key with systemApis; ' +
          'type "feed": a system key restricted to feed, with the feeds API only; type "personal": a system key that acts as user. ' +
          "The answer is the only time the key's value (key) is shown.",
        requestBody: { required: true, content: { "application/json": { schema: withKeyField(jsonSchema(apiKeyInfoCreateSchema, "input"), "API_Key") } } },
        responses: { "200": { description: "The new key, with its value.", content: { "application/json": { schema: ref("ApiKeyInfo") } } }, ...ERRORS },
      },
    },
    "/api/api-keys/list": {
      get: {
        tags: ["API-keys management API"],
        operationId: "get_api_keys_list",
        summary: "Lists API keys (never their values).",
        description: "Needs a key with the keys or native API. Administrators and the API key user get every key; an impersonated user gets the keys they own.",
        responses: {
          "200": { description: "The keys.", content: { "application/json": { schema: { type: "array", items: ref("ApiKeyInfo") } } } },
          ...ERRORS,
        },
      },
    },
    "/api/api-keys/usage": {
      get: {
        tags: ["API-keys management API"],
        operationId: "get_api_keys_usage",
        summary: "What an API key used in the last 90 days, and the least-privilege advice.",
        description:
          "Needs a key with the keys or native API. Scopes exercised, packages per feed, APIs, feeds and networks over the window (90 days, at most LOG_RETENTION_DAYS), the rights the key has but did not use, and a suggestion that only narrows it; the same answer as ApiKeys_GetUsage. An impersonated user can read only keys they own; any other ID answers 404.",
        parameters: queryParameters(jsonSchema(usageArgsSchema, "input")),
        responses: { "200": { description: "The key's usage and advice.", content: { "application/json": { schema: ref("KeyUsage") } } }, ...ERRORS },
      },
    },
    "/api/api-keys/delete": { post: deleteOp("post"), delete: deleteOp("delete") },
  };
}

/** POST /api/leaks and its TruffleHog form (api/leaks.ts): no key, rate-limited per address. */
function leakPaths(): Json {
  const labels = {
    type: "array",
    items: {
      type: "object",
      properties: {
        token_hash: { type: "string", description: "The SHA-256 of the token, in hex: the token itself is never echoed." },
        label: { enum: ["true_positive", "false_positive"], description: "true_positive: a live key, now revoked." },
      },
      required: ["token_hash", "label"],
    },
  };
  const limits = {
    "400": errorResponse("The body is not JSON, or a report is missing a field, is too long, or repeats a token (the message names it)."),
    "413": errorResponse(`The body is larger than ${LEAK_BODY_LIMIT_BYTES / 1024} KiB.`),
    "429": {
      ...errorResponse("Too many reports from this address; try again after Retry-After seconds."),
      headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } },
    },
  };
  const common = { tags: ["Leak reports"], security: [] };
  return {
    "/api/leaks": {
      post: {
        ...common,
        operationId: "post_leaks",
        summary: "Reports tokens found in public; every live key among them is revoked at once.",
        description:
          `For secret scanners (GitHub secret scanning's shape); no key or sign-in. At most ${MAX_LEAK_TOKENS} tokens and ${LEAK_BODY_LIMIT_BYTES / 1024} KiB per report. ` +
          "Every token that is a live Keyhouse key (or a replaced value still working) is revoked in one transaction, and the key's owner and the administrators are told the url and source. " +
          "The answer labels each token by its SHA-256.",
        requestBody: { required: true, content: { "application/json": { schema: jsonSchema(reportsSchema, "input") } } },
        responses: { "200": { description: "One label per token, in the order sent.", content: { "application/json": { schema: labels } } }, ...limits },
      },
    },
    "/api/leaks/trufflehog": {
      post: {
        ...common,
        operationId: "post_leaks_trufflehog",
        summary: "TruffleHog's custom-detector verification: the same revocation, answered 200 when a live key was among the matches.",
        description:
          "The body is what TruffleHog sends: {detector name: {regex name: [match, …]}}. Same limits as POST /api/leaks. 200: a live key was found (and revoked); 403: none of the matches is a live key.",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { type: "object", additionalProperties: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
            },
          },
        },
        responses: {
          "200": { description: "At least one match was a live key, now revoked.", content: { "application/json": { schema: labels } } },
          "403": { description: "No match was a live key.", content: { "application/json": { schema: labels } } },
          ...limits,
        },
      },
    },
  };
}

let cached: Json | undefined;

export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Json = {};
  for (const m of NATIVE_METHODS) paths[`/api/json/${m.name}`] = nativePath(m);
  Object.assign(paths, managementPaths(), leakPaths());
  const schemas: Json = { Error: { type: "object", properties: { error: { type: "string" } }, required: ["error"] } };
  for (const [schema, name] of ROW_SCHEMAS) schemas[name] = jsonSchema(schema, "output");
  schemas.ApiKeyInfo = jsonSchema(apiKeyInfoSchema, "output");
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Keyhouse Native API and API-keys management API",
      version: "1.0.0",
      description:
        "ProGet-style APIs over Keyhouse's keys, access logs, feeds, users and packages. Native API methods are called at /api/json/{Method} " +
        "with GET or POST and answer JSON arrays of rows; the API-keys management API at /api/api-keys/ speaks ProGet's ApiKeyInfo. " +
        `Errors answer {"error": message}.\n\n${KEY_RULES}\n\n${ARGUMENT_RULES}`,
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Native API", description: "ProGet-style methods; answers are JSON arrays of rows." },
      { name: "API-keys management API", description: "ProGet's /api/api-keys/ endpoints and ApiKeyInfo." },
      { name: "Leak reports", description: "Where secret scanners report Keyhouse keys found in public (docs/threat-model.md); no key needed." },
    ],
    security: [{ ApiKeyHeader: [] }, { ApiKeyQuery: [] }],
    paths,
    components: {
      securitySchemes: {
        ApiKeyHeader: { type: "apiKey", in: "header", name: "X-ApiKey", description: "The key in the X-ApiKey header (any content type)." },
        ApiKeyQuery: { type: "apiKey", in: "query", name: "key", description: "The key in the key query parameter (any content type)." },
      },
      schemas,
      responses: {
        BadRequest: errorResponse("An argument or body is missing or wrong (the message names it), or the request presents two different keys."),
        NoKey: errorResponse("No API key was presented; the message lists the accepted ways."),
        Forbidden: errorResponse("The key is invalid, expired or revoked, or lacks the API group or privilege (the message names it)."),
        NotFound: errorResponse("No such method, key, feed, package or version."),
      },
    },
  };
  return cached;
}
