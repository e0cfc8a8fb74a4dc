// The demo data of docs/screens.md, written on an empty database.
import type { Db, Tx } from "./client.ts";
import { createFeed, createLegacyKey, createPackage, createUser, grantFeed } from "./factories.ts";

export const DEMO_USERS = ["admin", "alice", "bob"] as const;

export async function isEmpty(db: Db): Promise<boolean> {
  return (await db.user.count()) === 0;
}

export async function seedDemo(db: Db, opts: { password: string; secret: string }): Promise<void> {
  await db.$transaction((tx) => seedDemoData(tx, opts), { timeout: 30_000 });
}

async function seedDemoData(db: Tx, opts: { password: string; secret: string }): Promise<void> {
  const admin = await createUser(db, { username: "admin", password: opts.password, role: "admin", displayName: "Administrator" });
  const alice = await createUser(db, { username: "alice", password: opts.password, displayName: "Alice Archer" });
  const bob = await createUser(db, { username: "bob", password: opts.password, displayName: "Bob Baker" });
  void admin;

  const nuget = await createFeed(db, { name: "nuget", type: "nuget" });
  const npm = await createFeed(db, { name: "npm", type: "npm" });
  const gems = await createFeed(db, { name: "gems", type: "rubygems" });
  for (const user of [alice, bob]) for (const feed of [nuget, npm, gems]) await grantFeed(db, user.id, feed.id);

  for (const name of ["Contoso.Core", "Contoso.Web", "Contoso.Data"]) await createPackage(db, { feedId: nuget.id, name, ownerIds: [alice.id] });
  for (const name of ["@contoso/core", "@contoso/web"]) await createPackage(db, { feedId: npm.id, name, ownerIds: [alice.id] });
  await createPackage(db, { feedId: gems.id, name: "contoso", ownerIds: [alice.id] });
  await createPackage(db, { feedId: nuget.id, name: "Fabrikam.Logging", ownerIds: [bob.id] });
  await createPackage(db, { feedId: npm.id, name: "fabrikam-utils", ownerIds: [bob.id] });

  // Their values are thrown away: a legacy key can only be revoked or deleted now.
  await createLegacyKey(db, opts.secret, { ownerId: alice.id });
  await createLegacyKey(db, opts.secret, { ownerId: bob.id });
}
