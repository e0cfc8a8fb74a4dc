-- CreateTable
CREATE TABLE "KeyUsage" (
    "keyId" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstAt" TIMESTAMP(3) NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KeyUsage_pkey" PRIMARY KEY ("keyId","day","kind","value")
);

-- CreateIndex
CREATE INDEX "KeyUsage_day_idx" ON "KeyUsage"("day");

