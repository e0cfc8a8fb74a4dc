-- AlterTable
ALTER TABLE "AccessLogEntry" ADD COLUMN "requestBodyHash" TEXT;
ALTER TABLE "AccessLogEntry" ADD COLUMN "responseBodyHash" TEXT;

-- CreateTable
CREATE TABLE "AccessLogBody" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL,
    "size" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "AccessLogEntry_requestBodyHash_idx" ON "AccessLogEntry"("requestBodyHash");

-- CreateIndex
CREATE INDEX "AccessLogEntry_responseBodyHash_idx" ON "AccessLogEntry"("responseBodyHash");

