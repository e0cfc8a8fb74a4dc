// Users_*: adapters over users/management.ts. Never a password hash.
import { z } from "zod";
import { hasFullControl, requireFullControl } from "../access.ts";
import { arg } from "../args.ts";
import { requireNoFeedRestriction } from "../../keys/feed-restriction.ts";
import { createOrUpdateUser, listUsers } from "../../users/management.ts";
import { defineMethod } from "./method.ts";
import { userRow, userRowSchema } from "./rows.ts";

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const getUsers = defineMethod({
  name: "Users_GetUsers",
  summary: "Lists users (never their passwords).",
  description: "Administrators and the API key user get every user; an impersonated user gets only themselves.",
  args: z.object({}),
  row: userRowSchema,
  run: async ({ db, caller }) => (await listUsers(db, hasFullControl(caller) ? null : caller.user!.id)).map(userRow),
});

export const createOrUpdateUserMethod = defineMethod({
  name: "Users_CreateOrUpdateUser",
  summary: "Creates a user, or changes the given fields of an existing one.",
  description:
    "Needs an administrator or the API key user, and a key not restricted to some feeds (a user reaches every feed). User names match exactly. Creating needs Password_Text and Email_Address; " +
    "on update, arguments left out keep their values. Passwords are stored as argon2id hashes.",
  args: z.object({
    User_Name: arg.text({
      description: "The exact user name.",
      required: true,
      max: 64,
      pattern: { regex: USER_NAME, message: 'must be letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit.' },
    }),
    Display_Name: arg.text({ description: "The name shown in the app.", max: 100 }),
    Email_Address: arg.text({ description: "Where notifications go.", max: 254, pattern: { regex: EMAIL, message: "must be an email address." } }),
    Password_Text: arg.text({ description: "A new password (8 to 256 characters).", min: 8, max: 256, trim: false }),
    Admin_Indicator: arg.boolean({ description: "Whether the user is an administrator." }),
    Disabled_Indicator: arg.boolean({ description: "Whether the user is disabled (cannot sign in; their keys stop acting)." }),
  }),
  row: userRowSchema,
  run: async ({ db, caller }, a) => {
    requireFullControl(caller, "create or change users");
    requireNoFeedRestriction(caller, "create or change users");
    const { user } = await createOrUpdateUser(db, {
      username: a.User_Name,
      displayName: a.Display_Name,
      email: a.Email_Address,
      password: a.Password_Text,
      isAdmin: a.Admin_Indicator,
      disabled: a.Disabled_Indicator,
    });
    return [userRow(user)];
  },
});
