-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "alertNewNetworks" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "KeyNetworkSeen" (
    "keyId" INTEGER NOT NULL,
    "network" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "lastAlertAt" TIMESTAMP(3),

    CONSTRAINT "KeyNetworkSeen_pkey" PRIMARY KEY ("keyId","network")
);

-- AddForeignKey
ALTER TABLE "KeyNetworkSeen" ADD CONSTRAINT "KeyNetworkSeen_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

