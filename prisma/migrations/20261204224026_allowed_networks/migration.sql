-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "allowedNetworks" TEXT;

