// How gem versions are named in URLs and messages. A gem version is unique per
// (version, platform): "1.0.0" and "1.0.0-x86_64-linux" are two different files.

export const RUBY = "ruby";

export function isRubyPlatform(platform: string | null | undefined): boolean {
  return !platform || platform === RUBY;
}

/** "1.0.0" or "1.0.0-x86_64-linux": the version part of file names and compact-index lines. */
export function versionWithPlatform(version: string, platform: string | null | undefined): string {
  return isRubyPlatform(platform) ? version : `${version}-${platform}`;
}

/** The key a version is unique under in the database. */
export function gemVersionKey(version: string, platform: string | null | undefined): string {
  return versionWithPlatform(version, platform).toLowerCase();
}

/** "name (1.0.0)", as rubygems.org words its answers. */
export function gemTitle(name: string, version: string, platform: string | null | undefined): string {
  return `${name} (${versionWithPlatform(version, platform)})`;
}
