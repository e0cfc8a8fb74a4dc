import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { highestVersion } from "./packument.ts";
import { parseNpmPath, tarballFileName, versionFromTarballFile } from "./paths.ts";

describe("the npm URL grammar", () => {
  it.each([
    ["/-/ping", { kind: "ping" }],
    ["/-/whoami", { kind: "whoami" }],
    ["/-/v1/login", { kind: "login" }],
    ["/-/user/org.couchdb.user:alice", { kind: "login" }],
    ["/left-pad", { kind: "packument", name: "left-pad" }],
    ["/left-pad/", { kind: "packument", name: "left-pad" }],
    ["/@acme%2fwidget", { kind: "packument", name: "@acme/widget" }],
    ["/@acme%2Fwidget", { kind: "packument", name: "@acme/widget" }],
    ["/@acme/widget", { kind: "packument", name: "@acme/widget" }],
    ["/left-pad/1.0.0", { kind: "version", name: "left-pad", spec: "1.0.0" }],
    ["/@acme/widget/latest", { kind: "version", name: "@acme/widget", spec: "latest" }],
    ["/left-pad/-/left-pad-1.0.0.tgz", { kind: "tarball", name: "left-pad", file: "left-pad-1.0.0.tgz" }],
    ["/@acme/widget/-/widget-1.0.0.tgz", { kind: "tarball", name: "@acme/widget", file: "widget-1.0.0.tgz" }],
    ["/@acme%2fwidget/-/widget-1.0.0.tgz", { kind: "tarball", name: "@acme/widget", file: "widget-1.0.0.tgz" }],
    ["/left-pad/-rev/3-abc", { kind: "packageRev", name: "left-pad", rev: "3-abc" }],
    ["/@acme/widget/-/widget-1.0.0.tgz/-rev/3-abc", { kind: "tarballRev", name: "@acme/widget", file: "widget-1.0.0.tgz", rev: "3-abc" }],
    ["/-/package/left-pad/dist-tags", { kind: "distTags", name: "left-pad" }],
    ["/-/package/@acme%2fwidget/dist-tags/beta", { kind: "distTag", name: "@acme/widget", tag: "beta" }],
    ["/-/package/@acme/widget/dist-tags/beta", { kind: "distTag", name: "@acme/widget", tag: "beta" }],
  ])("%s", (path, route) => {
    expect(parseNpmPath(path)).toEqual(route);
  });

  it.each(["/", "//x", "/-/nope", "/-/package/x", "/-/package/x/other", "/x/-/a/b/c", "/x/-rev", "/x/a/b"])("%s means nothing", (path) => {
    expect(parseNpmPath(path)).toBeNull();
  });

  it.each([
    ["/%E0%A4%A", /not valid percent-encoding/],
    ["/@scope", /a scope without a package name/],
    ["/_private", /it starts with "\." or "_"/],
    ["/a%20b", /URL-safe/],
    ["/@a%2fb%2fc", /URL-safe/],
  ])("%s is a 400", (path, message) => {
    let thrown: unknown;
    try {
      parseNpmPath(path);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).status).toBe(400);
    expect((thrown as AppError).message).toMatch(message);
  });

  it("reads versions from tarball file names", () => {
    expect(versionFromTarballFile("@acme/widget", "widget-1.2.3-beta.1.tgz")).toBe("1.2.3-beta.1");
    expect(versionFromTarballFile("left-pad", "left-pad-1.0.0.tgz")).toBe("1.0.0");
    expect(versionFromTarballFile("left-pad", "right-pad-1.0.0.tgz")).toBeNull();
    expect(versionFromTarballFile("left-pad", "left-pad-.tgz")).toBeNull();
    expect(versionFromTarballFile("left-pad", "left-pad-1.0.0.zip")).toBeNull();
    expect(tarballFileName("@acme/widget", "1.0.0")).toBe("widget-1.0.0.tgz");
  });

  it("picks the highest release for latest, or the highest prerelease when that is all there is", () => {
    expect(highestVersion(["1.0.0", "2.0.0-beta.1", "1.10.0", "1.9.0"])).toBe("1.10.0");
    expect(highestVersion(["2.0.0-beta.1", "2.0.0-alpha.3"])).toBe("2.0.0-beta.1");
    expect(highestVersion([])).toBeUndefined();
  });
});
