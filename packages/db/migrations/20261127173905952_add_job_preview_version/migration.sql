-- AlterTable
ALTER TABLE "job" ADD COLUMN     "previewVersion" INTEGER NOT NULL DEFAULT 0;
