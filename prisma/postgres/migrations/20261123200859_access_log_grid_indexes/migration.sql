-- DropIndex
DROP INDEX "AccessLogEntry_status_id_idx";

-- CreateIndex
CREATE INDEX "AccessLogEntry_ownerId_at_idx" ON "AccessLogEntry"("ownerId", "at");

