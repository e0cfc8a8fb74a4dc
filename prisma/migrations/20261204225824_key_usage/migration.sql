-- CreateTable
CREATE TABLE "KeyUsage" (
    "keyId" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstAt" DATETIME NOT NULL,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("keyId", "day", "kind", "value")
);

-- CreateIndex
CREATE INDEX "KeyUsage_day_idx" ON "KeyUsage"("day");

