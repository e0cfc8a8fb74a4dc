-- CreateIndex
CREATE INDEX "KeyUsage_keyId_kind_value_day_count_firstAt_lastAt_idx" ON "KeyUsage"("keyId", "kind", "value", "day", "count", "firstAt", "lastAt");

