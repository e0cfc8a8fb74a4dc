// The OpenAPI document (its reference page: docs.test.ts).
import { OLD_VALUE_OVERLAPS } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATIVE_METHODS } from "./native/registry.ts";
import { createApiWorld, type ApiWorld } from "./test-world.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

type Doc = {
  openapi: string;
  info: { title: string; description: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: { name: string; in: string; required: boolean; description?: string; schema?: { enum?: unknown[] } }[];
        requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        responses: Record<string, unknown>;
      }
    >
  >;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { properties: Record<string, unknown> }> };
  security: unknown[];
};

async function getDoc(): Promise<{ doc: Doc; res: Response }> {
  const res = await fetch(`${w.server.url}/api/openapi.json`);
  return { doc: JSON.parse(await res.text()) as Doc, res };
}

describe("GET /api/openapi.json", () => {
  it("is OpenAPI 3.1 JSON, public, with the security schemes of docs/presenting-keys.md", async () => {
    const { doc, res } = await getDoc();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes).toEqual({
      ApiKeyHeader: { type: "apiKey", in: "header", name: "X-ApiKey", description: expect.any(String) },
      ApiKeyQuery: { type: "apiKey", in: "query", name: "key", description: expect.any(String) },
    });
    expect(doc.security).toEqual([{ ApiKeyHeader: [] }, { ApiKeyQuery: [] }]);
    expect(doc.info.description).toContain("the body's value is used");
  });

  it("lists every Native method with GET and POST, from the handlers' own schemas", async () => {
    const { doc } = await getDoc();
    const operationIds = new Set<string>();
    for (const m of NATIVE_METHODS) {
      const item = doc.paths[`/api/json/${m.name}`];
      expect(item, m.name).toBeDefined();
      expect(Object.keys(item!).sort()).toEqual(["get", "post"]);
      const declared = Object.keys(m.args.shape).sort();
      expect(item!.get!.parameters!.map((p) => p.name).sort()).toEqual(declared);
      for (const p of item!.get!.parameters!) expect(p.required).toBe(!m.args.shape[p.name]!.safeParse(undefined).success);
      expect(Object.keys(item!.post!.requestBody!.content["application/json"]!.schema.properties).sort()).toEqual([...declared, "API_Key"].sort());
      expect(Object.keys(item!.post!.requestBody!.content["application/x-www-form-urlencoded"]!.schema.properties).sort()).toEqual([...declared, "key"].sort());
      for (const code of ["200", "400", "401", "403", "404"]) expect(item!.get!.responses[code]).toBeDefined();
      for (const op of Object.values(item!)) {
        expect(operationIds.has(op.operationId)).toBe(false);
        operationIds.add(op.operationId);
      }
    }
    const nativePaths = Object.keys(doc.paths).filter((p) => p.startsWith("/api/json/"));
    expect(nativePaths).toHaveLength(NATIVE_METHODS.length);
  });

  it("offers KeepOldValue_Hours on ApiKeys_CreateOrUpdateApiKey with the screens' choices, and says what it does", async () => {
    const { doc } = await getDoc();
    const param = doc.paths["/api/json/ApiKeys_CreateOrUpdateApiKey"]!.get!.parameters!.find((p) => p.name === "KeepOldValue_Hours");
    expect(param?.schema?.enum).toEqual(OLD_VALUE_OVERLAPS.map((o) => o.hours));
    expect(param?.description).toContain("Regenerate_Indicator");
  });

  it("describes the management endpoints and the row shapes", async () => {
    const { doc } = await getDoc();
    expect(Object.keys(doc.paths["/api/api-keys/create"]!)).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/api-keys/list"]!)).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/api-keys/delete"]!).sort()).toEqual(["delete", "post"]);
    expect(doc.paths["/api/api-keys/delete"]!.post!.parameters).toEqual([expect.objectContaining({ name: "id", in: "query", required: true })]);
    const createBody = doc.paths["/api/api-keys/create"]!.post!.requestBody!.content["application/json"]!.schema.properties;
    expect(Object.keys(createBody)).toEqual(
      expect.arrayContaining([
        "type",
        "key",
        "displayName",
        "description",
        "systemApis",
        "packagePermissions",
        "feed",
        "expiration",
        "logging",
        "user",
        "API_Key",
      ]),
    );
    expect(Object.keys(doc.components.schemas.ApiKeyInfo!.properties)).toEqual(
      expect.arrayContaining(["id", "type", "key", "displayName", "description", "systemApis", "packagePermissions", "feed", "expiration", "logging", "user"]),
    );
    expect(Object.keys(doc.components.schemas.ApiKeyRow!.properties)).toEqual(
      expect.arrayContaining([
        "ApiKey_Id",
        "Key_Name",
        "ApiKey_Description",
        "User_Name",
        "Systems_Apis_Csv",
        "Feeds_Csv",
        "Expiration_Date",
        "LogRequestBody_Indicator",
        "Revoked_Date",
      ]),
    );
    // Every $ref points at something that exists.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/(schemas|responses)\/[A-Za-z]+"/g) ?? [];
    for (const r of refs) {
      const [, kind, name] = /#\/components\/(schemas|responses)\/([A-Za-z]+)/.exec(r)!;
      expect((doc.components as Record<string, Record<string, unknown>>)[kind!]![name!], r).toBeDefined();
    }
  });

  it("describes the leak-report endpoints as public, with the report shape the server checks and the answer it gives", async () => {
    const { doc } = await getDoc();
    type Op = {
      security: unknown[];
      requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
      responses: Record<string, { content?: Record<string, { schema: { items: { required: string[] } } }>; headers?: Record<string, unknown> }>;
    };
    const leaks = doc.paths["/api/leaks"] as unknown as Record<string, Op>;
    const truffle = doc.paths["/api/leaks/trufflehog"] as unknown as Record<string, Op>;
    expect(Object.keys(leaks)).toEqual(["post"]);
    expect(Object.keys(truffle)).toEqual(["post"]);
    for (const op of [leaks.post!, truffle.post!]) {
      expect(op.security).toEqual([]);
      for (const code of ["200", "400", "413", "429"]) expect(op.responses[code], code).toBeDefined();
      expect(op.responses["429"]!.headers).toHaveProperty("Retry-After");
    }
    const body = leaks.post!.requestBody.content["application/json"]!.schema as { type: string; maxItems: number; items: { required: string[] } };
    expect(body).toMatchObject({ type: "array", maxItems: 100 });
    expect(body.items.required.sort()).toEqual(["source", "token", "url"]);

    // The server answers what the document says, to a report built from it.
    const res = await fetch(`${w.server.url}/api/leaks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ token: "not-a-key-at-all-0123456789", url: "https://example.com/x", source: "content" }]),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Record<string, unknown>[];
    expect(Object.keys(answer[0]!).sort()).toEqual([...leaks.post!.responses["200"]!.content!["application/json"]!.schema.items.required].sort());
  });

  it("embeds plain JSON Schema objects (no $schema, no zod leftovers)", async () => {
    const { doc } = await getDoc();
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain("~standard");
    for (const [name, schema] of Object.entries(doc.components.schemas)) expect((schema as { type?: string }).type, name).toBe("object");
  });
});
