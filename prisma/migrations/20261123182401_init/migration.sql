-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'user',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "ip" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "firstFailureAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME
);

-- CreateTable
CREATE TABLE "Feed" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "anonymousReads" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FeedPrivilege" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "feedId" INTEGER NOT NULL,
    "canView" BOOLEAN NOT NULL DEFAULT true,
    "canAdd" BOOLEAN NOT NULL DEFAULT false,
    "canUnlist" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "FeedPrivilege_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FeedPrivilege_feedId_fkey" FOREIGN KEY ("feedId") REFERENCES "Feed" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Package" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "feedId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "nameLower" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Package_feedId_fkey" FOREIGN KEY ("feedId") REFERENCES "Feed" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageOwner" (
    "packageId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("packageId", "userId"),
    CONSTRAINT "PackageOwner_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PackageOwner_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PackageVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "packageId" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "versionLower" TEXT NOT NULL,
    "listed" BOOLEAN NOT NULL DEFAULT true,
    "deprecated" TEXT,
    "filePath" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "sha512" TEXT NOT NULL,
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "pushedById" INTEGER,
    "pushedWithKeyId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageVersion_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PackageVersion_pushedById_fkey" FOREIGN KEY ("pushedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DistTag" (
    "packageId" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,
    "version" TEXT NOT NULL,

    PRIMARY KEY ("packageId", "tag"),
    CONSTRAINT "DistTag_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiKey" (
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
    "expiryDays" INTEGER,
    "expiresAt" DATETIME,
    "logRequestBody" BOOLEAN NOT NULL DEFAULT false,
    "logResponseBody" BOOLEAN NOT NULL DEFAULT false,
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

-- CreateTable
CREATE TABLE "AccessLogEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "keyId" INTEGER,
    "keyName" TEXT,
    "keyHint" TEXT,
    "keyStatus" TEXT NOT NULL,
    "ownerId" INTEGER,
    "userId" INTEGER,
    "username" TEXT,
    "surface" TEXT NOT NULL,
    "feed" TEXT,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "durationMs" REAL NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "bytesIn" INTEGER NOT NULL DEFAULT 0,
    "bytesOut" INTEGER NOT NULL DEFAULT 0,
    "requestBody" TEXT,
    "responseBody" TEXT
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER,
    "actorName" TEXT,
    "action" TEXT NOT NULL,
    "keyId" INTEGER,
    "keyName" TEXT,
    "ownerId" INTEGER,
    "ip" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}'
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" INTEGER,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "keyId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "sentAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Feed_name_key" ON "Feed"("name");

-- CreateIndex
CREATE INDEX "FeedPrivilege_feedId_idx" ON "FeedPrivilege"("feedId");

-- CreateIndex
CREATE UNIQUE INDEX "FeedPrivilege_userId_feedId_key" ON "FeedPrivilege"("userId", "feedId");

-- CreateIndex
CREATE INDEX "Package_nameLower_idx" ON "Package"("nameLower");

-- CreateIndex
CREATE UNIQUE INDEX "Package_feedId_nameLower_key" ON "Package"("feedId", "nameLower");

-- CreateIndex
CREATE INDEX "PackageOwner_userId_idx" ON "PackageOwner"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "PackageVersion_packageId_versionLower_key" ON "PackageVersion"("packageId", "versionLower");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_secretHash_key" ON "ApiKey"("secretHash");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- CreateIndex
CREATE INDEX "ApiKey_kind_idx" ON "ApiKey"("kind");

-- CreateIndex
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_ownerId_name_key" ON "ApiKey"("ownerId", "name");

-- CreateIndex
CREATE INDEX "AccessLogEntry_at_id_idx" ON "AccessLogEntry"("at", "id");

-- CreateIndex
CREATE INDEX "AccessLogEntry_keyId_id_idx" ON "AccessLogEntry"("keyId", "id");

-- CreateIndex
CREATE INDEX "AccessLogEntry_ownerId_id_idx" ON "AccessLogEntry"("ownerId", "id");

-- CreateIndex
CREATE INDEX "AccessLogEntry_userId_id_idx" ON "AccessLogEntry"("userId", "id");

-- CreateIndex
CREATE INDEX "AccessLogEntry_status_id_idx" ON "AccessLogEntry"("status", "id");

-- CreateIndex
CREATE INDEX "AccessLogEntry_method_id_idx" ON "AccessLogEntry"("method", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_keyId_idx" ON "AuditEvent"("keyId");

-- CreateIndex
CREATE INDEX "AuditEvent_ownerId_at_idx" ON "AuditEvent"("ownerId", "at");

-- CreateIndex
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Notification_userId_createdAt_idx" ON "Notification"("userId", "createdAt");

