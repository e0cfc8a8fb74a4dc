import { hash, verify } from "@node-rs/argon2";

// OWASP's argon2id minimum (19 MiB, 2 passes); enough to slow guessing, cheap enough for 2 cores.
const OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, unusable under verbatimModuleSyntax */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Counted so that bench:abuse can tell how many argon2 verifications a burst of wrong
// sign-ins cost (each is ~19 MiB and tens of ms of CPU).
let verifications = 0;
export const passwordVerificationCount = (): number => verifications;

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  verifications++;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Compared against when the user name is unknown, so both paths take the same time.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("keyhouse-timing-equaliser");
  return dummyHash;
}
