-- AlterTable
ALTER TABLE "AccessLogEntry" ADD COLUMN     "requestBodyHash" TEXT,
ADD COLUMN     "responseBodyHash" TEXT;

-- CreateTable
CREATE TABLE "AccessLogBody" (
    "hash" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "size" INTEGER NOT NULL,

    CONSTRAINT "AccessLogBody_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE INDEX "AccessLogEntry_requestBodyHash_idx" ON "AccessLogEntry"("requestBodyHash");

-- CreateIndex
CREATE INDEX "AccessLogEntry_responseBodyHash_idx" ON "AccessLogEntry"("responseBodyHash");

