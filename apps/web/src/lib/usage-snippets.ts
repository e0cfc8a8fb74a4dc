// Ready-to-paste client set-up for a key's feeds (docs/feeds.md, docs/presenting-keys.md).
// Pure text: the reveal passes the key's value, every other screen leaves it out and gets
// KEY_PLACEHOLDER in its place, so a value is only ever in the one component that shows it.
import { FEED_TYPES, type Api, type FeedType } from "@keyhouse/shared";

export const KEY_PLACEHOLDER = "<YOUR_API_KEY>";

export type UsageFeed = { name: string; type: string };

export type Snippet = {
  /** Stable and unique within one answer (React keys, ids). */
  id: string;
  ecosystem: FeedType | "api";
  feed: string | null;
  /** What the snippet is, as a heading says it (".npmrc", "nuget setapikey", …). */
  title: string;
  /** The Copy button's accessible name. */
  copyLabel: string;
  text: string;
};

export type UsageInput = {
  /** Where people reach Keyhouse: PUBLIC_URL, or the page's origin. */
  baseUrl: string;
  /** Every feed there is. */
  feeds: readonly UsageFeed[];
  /** The key's feed restriction; null means every feed. */
  keyFeeds: readonly string[] | null;
  apis: readonly Api[];
  /** The key itself, only on the reveal. */
  value?: string;
};

const ECOSYSTEM_LABELS: Record<FeedType, string> = { npm: "npm", nuget: "NuGet", rubygems: "RubyGems" };
export const ecosystemLabel = (ecosystem: Snippet["ecosystem"]) => (ecosystem === "api" ? "Native API" : ECOSYSTEM_LABELS[ecosystem]);

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

/** The feeds the key reaches, in the order of FEED_TYPES and then by name. */
export function feedsOfKey(feeds: readonly UsageFeed[], keyFeeds: readonly string[] | null): { name: string; type: FeedType }[] {
  const allowed = keyFeeds === null ? null : new Set(keyFeeds.map((f) => f.toLowerCase()));
  return feeds
    .filter((f): f is { name: string; type: FeedType } => (FEED_TYPES as readonly string[]).includes(f.type))
    .filter((f) => allowed === null || allowed.has(f.name.toLowerCase()))
    .map(({ name, type }) => ({ name, type }))
    .sort((a, b) => FEED_TYPES.indexOf(a.type) - FEED_TYPES.indexOf(b.type) || a.name.localeCompare(b.name));
}

export function npmrc(baseUrl: string, feed: string, key: string): string {
  const registry = `${trimBase(baseUrl)}/npm/${encodeURIComponent(feed)}/`;
  // npm matches the token line to the registry by "//host[:port]/path/", without the scheme.
  const nerfed = registry.replace(/^[a-z]+:/i, "");
  return `registry=${registry}\n${nerfed}:_authToken=${key}\n`;
}

export function nugetSetApiKey(baseUrl: string, feed: string, key: string): string {
  return `nuget setapikey ${key} -Source ${trimBase(baseUrl)}/nuget/${encodeURIComponent(feed)}/api/v2/package`;
}

export function dotnetNugetPush(baseUrl: string, feed: string, key: string): string {
  return `dotnet nuget push MyPackage.1.0.0.nupkg --api-key ${key} --source ${trimBase(baseUrl)}/nuget/${encodeURIComponent(feed)}/v3/index.json`;
}

function xmlAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A NuGet.Config with the feed as a source and the key as its password (user name "api"). */
export function nugetConfig(baseUrl: string, feed: string, key: string): string {
  // packageSourceCredentials are keyed by element name: keep the source's name a valid XML name.
  const source = `keyhouse-${feed.replace(/[^A-Za-z0-9._-]/g, "_")}`;
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<configuration>`,
    `  <packageSources>`,
    `    <add key="${source}" value="${xmlAttribute(`${trimBase(baseUrl)}/nuget/${encodeURIComponent(feed)}/v3/index.json`)}" />`,
    `  </packageSources>`,
    `  <packageSourceCredentials>`,
    `    <${source}>`,
    `      <add key="Username" value="api" />`,
    // The placeholder stays readable; a real value is escaped (custom system keys may hold any character).
    `      <add key="ClearTextPassword" value="${key === KEY_PLACEHOLDER ? key : xmlAttribute(key)}" />`,
    `    </${source}>`,
    `  </packageSourceCredentials>`,
    `</configuration>`,
    ``,
  ].join("\n");
}

function gemHost(baseUrl: string, feed: string): string {
  return `${trimBase(baseUrl)}/rubygems/${encodeURIComponent(feed)}`;
}

export function gemPush(baseUrl: string, feed: string, key: string): string {
  return `GEM_HOST_API_KEY=${key} gem push my_gem-1.0.0.gem --host ${gemHost(baseUrl, feed)}`;
}

/** ~/.gem/credentials (mode 0600): gem push --host looks its key up by the host URL. */
export function gemCredentials(baseUrl: string, feed: string, key: string): string {
  return `---\n"${gemHost(baseUrl, feed)}": ${key}\n`;
}

export function bundleConfig(baseUrl: string, feed: string, key: string): string {
  return `bundle config set --local ${gemHost(baseUrl, feed)}/ api:${key}`;
}

export function nativeApiCurl(baseUrl: string, key: string): string {
  return `curl -H "X-ApiKey: ${key}" ${trimBase(baseUrl)}/api/json/ApiKeys_GetApiKeys`;
}

/** Every snippet for the key, grouped by ecosystem in FEED_TYPES order, then the API. */
export function usageSnippets({ baseUrl, feeds, keyFeeds, apis, value }: UsageInput): Snippet[] {
  const key = value ?? KEY_PLACEHOLDER;
  const reached = feedsOfKey(feeds, keyFeeds);
  const snippets: Snippet[] = [];
  if (apis.includes("feeds")) {
    for (const { name, type } of reached) {
      // Name the feed in the button only when there is more than one of its kind.
      const several = reached.filter((f) => f.type === type).length > 1;
      const add = (slug: string, title: string, text: string) =>
        snippets.push({
          id: `${type}:${name}:${slug}`,
          ecosystem: type,
          feed: name,
          title,
          copyLabel: several ? `Copy ${title} for ${name}` : `Copy ${title}`,
          text,
        });
      if (type === "npm") {
        add("npmrc", ".npmrc", npmrc(baseUrl, name, key));
      } else if (type === "nuget") {
        add("setapikey", "nuget setapikey", nugetSetApiKey(baseUrl, name, key));
        add("dotnet", "dotnet nuget push", dotnetNugetPush(baseUrl, name, key));
        add("config", "NuGet.Config", nugetConfig(baseUrl, name, key));
      } else {
        add("push", "gem push", gemPush(baseUrl, name, key));
        add("credentials", "~/.gem/credentials", gemCredentials(baseUrl, name, key));
        add("bundle", "bundle config", bundleConfig(baseUrl, name, key));
      }
    }
  }
  if (apis.includes("native") || apis.includes("keys")) {
    snippets.push({ id: "api:curl", ecosystem: "api", feed: null, title: "curl", copyLabel: "Copy curl", text: nativeApiCurl(baseUrl, key) });
  }
  return snippets;
}
