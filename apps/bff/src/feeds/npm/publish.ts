// `npm publish`: PUT /{name} with the manifest and the base64 tarball in _attachments,
// read by body.ts (streamed: the tarball arrives as a decoded file, never in memory).
// The tarball and its row are stored by pushVersion (durable, one winner per version);
// the dist-tags the CLI asked for move in the same transaction.
import { badRequest, conflict } from "../../errors.ts";
import type { UploadInfo } from "../../logs/capture.ts";
import { FormatError, npmNameProblem, parseNpmPublish, type NpmPublish } from "../formats/npm.ts";
import type { PublishBody } from "../formats/npm-publish-stream.ts";
import { findPackage, ownerIdsOf, pushVersion, VersionExists, type PushInput } from "../packages.ts";
import { hasVersion, publishExtras } from "../domain/npm.ts";
import { checkDeprecation } from "./changes.ts";
import { callerName, check, sendJson, writing, type NpmContext } from "./context.ts";

/** The npm registry keeps the first 64 KiB of a readme. */
const README_MAX = 64 * 1024;

export const publishConflict = (version: string) => conflict(`You cannot publish over the previously published versions: ${version}.`);

const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

/** The manifest as stored: what npm sent, with server-computed dist and who published it. */
function storedManifest(parsed: NpmPublish, publisher: string): Record<string, unknown> {
  const { dist, _attachments: _a, readme: _r, ...rest } = parsed.manifest;
  const sentDist = (dist && typeof dist === "object" ? dist : {}) as Record<string, unknown>;
  const scripts = rest.scripts && typeof rest.scripts === "object" ? (rest.scripts as Record<string, unknown>) : {};
  const manifest: Record<string, unknown> = {
    ...rest,
    _npmUser: { name: publisher },
    dist: {
      ...(typeof sentDist.fileCount === "number" ? { fileCount: sentDist.fileCount } : {}),
      ...(typeof sentDist.unpackedSize === "number" ? { unpackedSize: sentDist.unpackedSize } : {}),
      integrity: parsed.integrity,
      shasum: parsed.shasum,
    },
  };
  if (INSTALL_SCRIPTS.some((s) => typeof scripts[s] === "string")) manifest.hasInstallScript = true;
  if (parsed.readme) manifest.readme = parsed.readme.slice(0, README_MAX);
  return manifest;
}

/** Publishes the version `body` carries; its attachment files are disposed of before the answer. */
export async function publish(ctx: NpmContext, name: string, body: PublishBody): Promise<void> {
  let answer: Record<string, unknown>;
  try {
    answer = await store(ctx, name, body.value);
  } finally {
    await body.dispose();
  }
  sendJson(ctx.res, 201, answer);
}

async function store(ctx: NpmContext, name: string, body: unknown): Promise<Record<string, unknown>> {
  const { services, feed } = ctx;
  const problem = npmNameProblem(name);
  if (problem) throw badRequest(`"${name.slice(0, 80)}" is not a valid npm package name: ${problem}.`);

  const pkg = await findPackage(services.db, feed.id, name);
  const caller = await check(ctx, { action: "push", packageId: name, existingOwnerIds: ownerIdsOf(pkg) });

  let parsed: NpmPublish;
  try {
    parsed = await parseNpmPublish(body, name);
  } catch (err) {
    if (err instanceof FormatError) throw badRequest(err.message);
    throw err;
  }
  const upload: UploadInfo = { type: "application/gzip (npm package)", size: parsed.tarball.size, sha256: parsed.tarball.sha256 };
  ctx.res.locals.keyhouseUpload = upload;
  if (parsed.deprecated) checkDeprecation(parsed.deprecated);
  const versionKey = parsed.version.toLowerCase();
  if (pkg && (await hasVersion(services.db, pkg.id, versionKey))) {
    throw publishConflict(parsed.version);
  }

  const input: PushInput = {
    feed,
    name: pkg?.name ?? name,
    version: parsed.version,
    versionKey,
    ext: "tgz",
    source: { path: parsed.tarball.path },
    metadata: storedManifest(parsed, callerName(caller)),
    actorId: caller.user?.id ?? null,
    keyId: caller.keyId,
    extra: (tx, packageId) =>
      publishExtras(tx, packageId, { version: parsed.version, versionLower: versionKey, deprecated: parsed.deprecated, distTags: parsed.distTags }),
  };
  try {
    await writing(ctx, name, () => pushVersion(services.db, services.store, input, services.hooks));
  } catch (err) {
    if (err instanceof VersionExists) throw publishConflict(parsed.version);
    throw err;
  }
  return { ok: true, id: pkg?.name ?? name, version: parsed.version, "dist-tags": parsed.distTags };
}
