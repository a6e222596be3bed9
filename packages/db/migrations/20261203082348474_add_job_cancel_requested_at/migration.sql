-- AlterTable
ALTER TABLE "job" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3);
