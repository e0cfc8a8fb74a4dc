import { describe, expect, it } from "vitest";
import { feedsOfKey, KEY_PLACEHOLDER, usageSnippets } from "./usage-snippets";

const FEEDS = [
  { name: "gems", type: "rubygems" },
  { name: "npm", type: "npm" },
  { name: "nuget", type: "nuget" },
];
const KEY = "khk_example-key-value";
const base = "https://feeds.example.com/";

describe("feedsOfKey", () => {
  it("keeps every feed of a key without a feed restriction, in FEED_TYPES order", () => {
    expect(feedsOfKey(FEEDS, null).map((f) => f.name)).toEqual(["nuget", "npm", "gems"]);
  });
  it("keeps only the feeds of the restriction, whatever their case, and drops unknown types", () => {
    expect(feedsOfKey([...FEEDS, { name: "maven", type: "maven" }], ["NPM", "maven"]).map((f) => f.name)).toEqual(["npm"]);
  });
});

describe("usageSnippets", () => {
  it("writes the .npmrc lines for the real registry, the token line without the scheme", () => {
    const [npm] = usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: ["npm"], apis: ["feeds"], value: KEY });
    expect(npm).toMatchObject({ title: ".npmrc", copyLabel: "Copy .npmrc" });
    expect(npm!.text).toBe(`registry=https://feeds.example.com/npm/npm/\n//feeds.example.com/npm/npm/:_authToken=${KEY}\n`);
  });

  it("keeps a port and a path prefix of the base URL", () => {
    const [npm] = usageSnippets({ baseUrl: "http://127.0.0.1:3100/keys", feeds: FEEDS, keyFeeds: ["npm"], apis: ["feeds"], value: KEY });
    expect(npm!.text).toBe(`registry=http://127.0.0.1:3100/keys/npm/npm/\n//127.0.0.1:3100/keys/npm/npm/:_authToken=${KEY}\n`);
  });

  it("gives NuGet's setapikey, dotnet push and a NuGet.Config with the key as api's password", () => {
    const nuget = usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: ["nuget"], apis: ["feeds"], value: KEY });
    expect(nuget.map((s) => s.copyLabel)).toEqual(["Copy nuget setapikey", "Copy dotnet nuget push", "Copy NuGet.Config"]);
    expect(nuget[0]!.text).toBe(`nuget setapikey ${KEY} -Source https://feeds.example.com/nuget/nuget/api/v2/package`);
    expect(nuget[1]!.text).toContain(`--api-key ${KEY} --source https://feeds.example.com/nuget/nuget/v3/index.json`);
    expect(nuget[2]!.text).toContain(`<add key="keyhouse-nuget" value="https://feeds.example.com/nuget/nuget/v3/index.json" />`);
    expect(nuget[2]!.text).toContain(`<keyhouse-nuget>\n      <add key="Username" value="api" />\n      <add key="ClearTextPassword" value="${KEY}" />`);
  });

  it("gives gem push, ~/.gem/credentials and bundle config for the RubyGems host", () => {
    const gems = usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: ["gems"], apis: ["feeds"], value: KEY });
    expect(gems.map((s) => s.text)).toEqual([
      `GEM_HOST_API_KEY=${KEY} gem push my_gem-1.0.0.gem --host https://feeds.example.com/rubygems/gems`,
      `---\n"https://feeds.example.com/rubygems/gems": ${KEY}\n`,
      `bundle config set --local https://feeds.example.com/rubygems/gems/ api:${KEY}`,
    ]);
  });

  it("stands a placeholder in for the value when none is given, and the value appears nowhere", () => {
    const all = usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: null, apis: ["feeds", "native"] });
    expect(all).toHaveLength(8);
    for (const s of all) {
      expect(s.text).toContain(KEY_PLACEHOLDER);
      expect(s.text).not.toContain("khk_");
    }
  });

  it("adds the Native API curl only for keys with the native or keys API, and no feed snippets without feeds", () => {
    expect(usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: null, apis: ["feeds"] }).some((s) => s.ecosystem === "api")).toBe(false);
    const api = usageSnippets({ baseUrl: base, feeds: FEEDS, keyFeeds: null, apis: ["keys"], value: KEY });
    expect(api).toEqual([
      expect.objectContaining({ copyLabel: "Copy curl", text: `curl -H "X-ApiKey: ${KEY}" https://feeds.example.com/api/json/ApiKeys_GetApiKeys` }),
    ]);
  });

  it("names the feed in the Copy button when there are several feeds of one kind", () => {
    const twoNpm = [...FEEDS, { name: "npm-internal", type: "npm" }];
    const labels = usageSnippets({ baseUrl: base, feeds: twoNpm, keyFeeds: null, apis: ["feeds"] }).map((s) => s.copyLabel);
    expect(labels).toContain("Copy .npmrc for npm");
    expect(labels).toContain("Copy .npmrc for npm-internal");
    expect(labels).toContain("Copy nuget setapikey");
    expect(new Set(labels).size).toBe(labels.length);
  });
});
