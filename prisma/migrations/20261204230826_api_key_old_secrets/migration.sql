-- CreateTable
CREATE TABLE "ApiKeyOldSecret" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "keyId" INTEGER NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiKeyOldSecret_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeyOldSecret_secretHash_key" ON "ApiKeyOldSecret"("secretHash");

-- CreateIndex
CREATE INDEX "ApiKeyOldSecret_keyId_idx" ON "ApiKeyOldSecret"("keyId");

-- CreateIndex
CREATE INDEX "ApiKeyOldSecret_expiresAt_idx" ON "ApiKeyOldSecret"("expiresAt");
