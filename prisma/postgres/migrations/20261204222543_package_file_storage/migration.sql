-- CreateTable
CREATE TABLE "PackageFile" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "size" INTEGER NOT NULL DEFAULT 0,
    "chunkSize" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PackageFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PackageFileChunk" (
    "fileId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "PackageFileChunk_pkey" PRIMARY KEY ("fileId","seq")
);

-- CreateIndex
CREATE INDEX "PackageFile_key_idx" ON "PackageFile"("key");

-- CreateIndex
CREATE INDEX "PackageFile_complete_createdAt_idx" ON "PackageFile"("complete", "createdAt");

-- CreateIndex
CREATE INDEX "PackageVersion_filePath_idx" ON "PackageVersion"("filePath");

-- AddForeignKey
ALTER TABLE "PackageFileChunk" ADD CONSTRAINT "PackageFileChunk_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "PackageFile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

