-- CreateTable
CREATE TABLE "KeyNetworkSeen" (
    "keyId" INTEGER NOT NULL,
    "network" TEXT NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "lastAlertAt" DATETIME,

    PRIMARY KEY ("keyId", "network"),
    CONSTRAINT "KeyNetworkSeen_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApiKey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "ownerId" INTEGER,
    "userId" INTEGER,
    "apis" TEXT NOT NULL DEFAULT '["feeds"]',
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "packages" TEXT NOT NULL DEFAULT '[]',
    "globs" TEXT NOT NULL DEFAULT '[]',
    "feeds" TEXT,
    "allowedNetworks" TEXT,
    "expiryDays" INTEGER,
    "expiresAt" DATETIME,
    "logRequestBody" BOOLEAN NOT NULL DEFAULT false,
    "logResponseBody" BOOLEAN NOT NULL DEFAULT false,
    "alertNewNetworks" BOOLEAN NOT NULL DEFAULT true,
    "secretHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" INTEGER,
    "updatedAt" DATETIME NOT NULL,
    "regeneratedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "lastUsedIp" TEXT,
    "revokedAt" DATETIME,
    "revokedById" INTEGER,
    "revokedReason" TEXT,
    "notifiedExpiring10At" DATETIME,
    "notifiedExpiring1At" DATETIME,
    "notifiedExpiredAt" DATETIME,
    CONSTRAINT "ApiKey_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ApiKey" ("allowedNetworks", "apis", "createdAt", "createdById", "description", "expiresAt", "expiryDays", "feeds", "globs", "hint", "id", "kind", "lastUsedAt", "lastUsedIp", "logRequestBody", "logResponseBody", "name", "notifiedExpiredAt", "notifiedExpiring10At", "notifiedExpiring1At", "ownerId", "packages", "regeneratedAt", "revokedAt", "revokedById", "revokedReason", "scopes", "secretHash", "updatedAt", "userId") SELECT "allowedNetworks", "apis", "createdAt", "createdById", "description", "expiresAt", "expiryDays", "feeds", "globs", "hint", "id", "kind", "lastUsedAt", "lastUsedIp", "logRequestBody", "logResponseBody", "name", "notifiedExpiredAt", "notifiedExpiring10At", "notifiedExpiring1At", "ownerId", "packages", "regeneratedAt", "revokedAt", "revokedById", "revokedReason", "scopes", "secretHash", "updatedAt", "userId" FROM "ApiKey";
DROP TABLE "ApiKey";
ALTER TABLE "new_ApiKey" RENAME TO "ApiKey";
CREATE UNIQUE INDEX "ApiKey_secretHash_key" ON "ApiKey"("secretHash");
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");
CREATE INDEX "ApiKey_kind_idx" ON "ApiKey"("kind");
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");
CREATE UNIQUE INDEX "ApiKey_ownerId_name_key" ON "ApiKey"("ownerId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

