-- CreateTable
CREATE TABLE "PackageFile" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "size" INTEGER NOT NULL DEFAULT 0,
    "chunkSize" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PackageFileChunk" (
    "fileId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BLOB NOT NULL,

    PRIMARY KEY ("fileId", "seq"),
    CONSTRAINT "PackageFileChunk_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "PackageFile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PackageFile_key_idx" ON "PackageFile"("key");

-- CreateIndex
CREATE INDEX "PackageFile_complete_createdAt_idx" ON "PackageFile"("complete", "createdAt");

-- CreateIndex
CREATE INDEX "PackageVersion_filePath_idx" ON "PackageVersion"("filePath");

