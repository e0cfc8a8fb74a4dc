-- CreateTable
CREATE TABLE "ApiKeyOldSecret" (
    "id" SERIAL NOT NULL,
    "keyId" INTEGER NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiKeyOldSecret_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeyOldSecret_secretHash_key" ON "ApiKeyOldSecret"("secretHash");

-- CreateIndex
CREATE INDEX "ApiKeyOldSecret_keyId_idx" ON "ApiKeyOldSecret"("keyId");

-- CreateIndex
CREATE INDEX "ApiKeyOldSecret_expiresAt_idx" ON "ApiKeyOldSecret"("expiresAt");

-- AddForeignKey
ALTER TABLE "ApiKeyOldSecret" ADD CONSTRAINT "ApiKeyOldSecret_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;
