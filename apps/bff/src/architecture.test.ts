// The adapters (routes, handlers, procedures) call domain functions and never the
// database themselves, so that every read and every decision has one home a change
// cannot bypass: a Prisma call or a value import of the generated client in an adapter
// file fails here. Test support files (tests, test worlds, fixtures) may seed rows directly.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.dirname(new URL(import.meta.url).pathname);

/** The adapter folders, relative to src/. Add a folder here when its queries have moved into domain functions. */
const ADAPTER_FOLDERS = ["api", "trpc/routers", "http", "feeds/nuget", "feeds/npm", "feeds/rubygems"];

/**
 * Not yet: adapter files that still call Prisma, relative to src/. This list must only
 * shrink: an entry whose file no longer offends fails the test until it is removed.
 * (Empty: the feed handlers' queries moved to feeds/domain/.)
 */
const NOT_YET: readonly string[] = [];

const TEST_SUPPORT = /(\.test\.ts|\/test-world\.ts|\/testing\.ts|\.fixtures\.ts)$/;

const PRISMA_USES: { what: string; pattern: RegExp }[] = [
  { what: "a model call on the client", pattern: /\bdb\.[a-z][A-Za-z]*\.[a-z][A-Za-z]*\(/ },
  { what: "a model call in a transaction", pattern: /\btx\.[a-z][A-Za-z]*\./ },
  { what: "a raw query", pattern: /\$(queryRaw|executeRaw)/ },
  { what: "a transaction", pattern: /\$transaction\b/ },
  { what: "a value import of the generated client", pattern: /^\s*import\s+(?!type\b)[^;]*?from\s+["'][^"']*(\/generated\/|@prisma\/client)[^"']*["']/m },
];

/** What Prisma use `source` holds, one line each (comments ignored). */
export function prismaUses(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const { what, pattern } of PRISMA_USES) {
    const m = pattern.exec(code);
    if (m) found.push(`${what}: ${m[0].trim()}`);
  }
  return found;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(SRC, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)))
    .filter((f) => !TEST_SUPPORT.test(`/${f}`));
}

describe("prismaUses", () => {
  it.each([
    ["a procedure reading users", "users: await ctx.db.user.findMany({ select: { id: true } }),"],
    ["the gate reading its user", "await this.db.user.findUnique({ where: { id } })"],
    ["a write in a transaction", "await tx.apiKey.update({ where: { id } })"],
    ["a health check", 'await db.$queryRawUnsafe("SELECT 1");'],
    ["a raw statement", "await db.$executeRaw`DELETE FROM Session`;"],
    ["a transaction", "await services.db.$transaction(async (t) => 1);"],
    ["the generated client", 'import { PrismaClient } from "../db/generated/sqlite/client.ts";'],
    ["the Prisma package", 'import { Prisma } from "@prisma/client";'],
  ])("finds %s", (_name, line) => {
    expect(prismaUses(line)).toHaveLength(1);
  });

  it.each([
    ["a domain function call", "const keys = await reachableKeys(ctx.db, viewer, now);"],
    ["passing the client on", "await createSystemKey({ db: services.db, secret }, viewer, input);"],
    ["a type import of the client", 'import type { Db, Prisma } from "../db/client.ts";'],
    ["a comment about it", "// never db.user.findMany( here\n/* nor tx.apiKey.update */"],
  ])("lets %s pass", (_name, line) => {
    expect(prismaUses(line)).toEqual([]);
  });
});

describe("adapters call no Prisma", () => {
  const files = ADAPTER_FOLDERS.flatMap(sourceFiles);

  it("reads the adapter folders", () => {
    expect(files).toContain(path.join("trpc", "routers", "admin-keys.ts"));
    expect(files).toContain(path.join("http", "app.ts"));
  });

  it("no route, handler or procedure file calls Prisma", () => {
    const offenders = files
      .filter((f) => !NOT_YET.includes(f))
      .flatMap((f) => prismaUses(readFileSync(path.join(SRC, f), "utf8")).map((use) => `${f}: ${use}`));
    expect(offenders, "move these queries into a domain function (keys/, users/, feeds/, logs/, db/)").toEqual([]);
  });

  it("the not-yet list holds only files that still offend", () => {
    const fixed = NOT_YET.filter((f) => prismaUses(readFileSync(path.join(SRC, f), "utf8")).length === 0);
    expect(fixed, "remove these from NOT_YET").toEqual([]);
  });
});
