import { describe, expect, it } from "vitest";
import { setFlash, takeFlash } from "./flash";

describe("flash", () => {
  it("hands a message to the next taker once, the latest one winning", () => {
    expect(takeFlash()).toBeNull();
    setFlash("first");
    setFlash("Saved the packages of “CI”.");
    expect(takeFlash()).toBe("Saved the packages of “CI”.");
    expect(takeFlash()).toBeNull();
  });
});
