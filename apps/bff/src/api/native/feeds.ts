// Feeds_*: adapters over feeds/catalog.ts.
import { FEED_TYPES } from "@keyhouse/shared";
import { z } from "zod";
import { requireFullControl } from "../access.ts";
import { arg } from "../args.ts";
import { createFeedNamed, FEED_NAME, FEED_NAME_RULE, viewableFeeds } from "../../feeds/catalog.ts";
import { requireNoFeedRestriction } from "../../keys/feed-restriction.ts";
import { defineMethod } from "./method.ts";
import { feedRow, feedRowSchema } from "./rows.ts";

export const getFeeds = defineMethod({
  name: "Feeds_GetFeeds",
  summary: "Lists feeds.",
  description:
    'Administrators and the API key user get every feed; an impersonated user gets the feeds they hold the "view" privilege on. ' +
    "A key restricted to some feeds gets only those.",
  args: z.object({}),
  row: feedRowSchema,
  run: async ({ db, caller, now }) => (await viewableFeeds(db, caller, now)).map(feedRow),
});

export const createFeed = defineMethod({
  name: "Feeds_CreateFeed",
  summary: "Creates a feed.",
  description: "Needs an administrator or the API key user, and a key not restricted to some feeds. A name already in use answers 409.",
  args: z.object({
    Feed_Name: arg.text({ description: "The feed's url-safe name.", required: true, max: 100, pattern: { regex: FEED_NAME, message: FEED_NAME_RULE } }),
    FeedType_Name: arg.choice(FEED_TYPES, { description: "nuget, npm or rubygems.", required: true }),
    AllowAnonymousReads_Indicator: arg.boolean({ description: "Whether packages can be read without a key (default false)." }),
  }),
  row: feedRowSchema,
  run: async ({ db, caller }, a) => {
    requireFullControl(caller, "create feeds");
    requireNoFeedRestriction(caller, "create feeds");
    const feed = await createFeedNamed(db, { name: a.Feed_Name, type: a.FeedType_Name, anonymousReads: a.AllowAnonymousReads_Indicator ?? false });
    return [feedRow(feed)];
  },
});
