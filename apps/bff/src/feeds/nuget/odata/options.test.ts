import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TOP, page, PAGE_SIZE, queryOptions } from "./options.ts";
import { ODataError } from "./parse.ts";

describe("paging", () => {
  it("following next links yields exactly the rows $skip and $top ask for, never more than a page at a time (property)", () => {
    fc.assert(
      fc.property(fc.nat(350), fc.nat(400), fc.option(fc.nat(MAX_TOP), { nil: undefined }), (n, skip, top) => {
        const rows = Array.from({ length: n }, (_, i) => i);
        const seen: number[] = [];
        let at: { skip: number; top: number | undefined } | null = { skip, top };
        let pages = 0;
        while (at) {
          const p: ReturnType<typeof page<number>> = page(rows, at);
          expect(p.rows.length).toBeLessThanOrEqual(PAGE_SIZE);
          seen.push(...p.rows);
          at = p.next;
          expect(++pages).toBeLessThan(10);
        }
        expect(seen).toEqual(rows.slice(skip, top === undefined ? undefined : skip + top));
      }),
    );
  });
});

describe("query options", () => {
  it("reads the options NuGet 2.x sends for nuget list", () => {
    const o = queryOptions({ $filter: "IsLatestVersion", $orderby: "Id", $skip: "0", $top: "30", searchTerm: "''" });
    expect(o).toMatchObject({ skip: 0, top: 30, inlineCount: false, select: null });
    expect(o.filter).toEqual({ k: "prop", name: "IsLatestVersion" });
  });

  it("refuses options it does not serve, naming them", () => {
    expect(() => queryOptions({ $expand: "x" })).toThrow(ODataError);
    expect(() => queryOptions({ $expand: "x" })).toThrow("The query option $expand is not supported here");
  });
});
