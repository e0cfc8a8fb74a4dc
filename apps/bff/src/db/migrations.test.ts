// The committed migrations as `prisma migrate deploy` runs them. Through the driver
// adapters its runner splits a file into statements at every ";", comments included, so
// a ";" in a comment turns the rest of that comment into SQL and the deploy fails (the
// test databases apply the files whole, so only this check catches it).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const prismaDir = fileURLToPath(new URL("../../../../prisma", import.meta.url));
const folders = ["migrations", "postgres/migrations"].map((f) => path.join(prismaDir, f));

function migrationFiles(): string[] {
  return folders.flatMap((folder) =>
    readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(folder, e.name, "migration.sql")),
  );
}

describe("committed migrations", () => {
  it("finds the migrations of both providers", () => {
    const files = migrationFiles();
    expect(files.some((f) => f.includes(`${path.sep}postgres${path.sep}`))).toBe(true);
    expect(files.some((f) => !f.includes(`${path.sep}postgres${path.sep}`))).toBe(true);
  });

  it.each(migrationFiles().map((f) => [path.relative(prismaDir, f), f]))("%s has no ';' inside a comment", (_name, file) => {
    const offending = readFileSync(file, "utf8")
      .split("\n")
      .map((line, i) => ({ line: i + 1, comment: line.match(/--.*$/)?.[0] ?? "" }))
      .filter((l) => l.comment.includes(";"));
    expect(offending).toEqual([]);
  });
});
