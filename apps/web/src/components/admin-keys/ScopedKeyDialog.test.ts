import { describe, expect, it } from "vitest";
import { packagesFromText } from "./ScopedKeyDialog";

describe("packagesFromText", () => {
  it("reads one package id a line or comma-separated, dropping blanks and spaces", () => {
    expect(packagesFromText(" Contoso.Core \n\n@contoso/web, Contoso.Data ,\n")).toEqual(["Contoso.Core", "@contoso/web", "Contoso.Data"]);
    expect(packagesFromText("  \n ")).toEqual([]);
  });
});
