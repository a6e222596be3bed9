export { assertDbReachable, createDb, type Db, type DbOptions, pingDb } from './client.ts';
export type { Prisma } from './generated/prisma/client.ts';
export { AssetKind, JobAssetRole, JobStatus } from './generated/prisma/enums.ts';
export type * from './generated/prisma/models.ts';
export { connectRedis, createRedis } from './redis.ts';
export {
  DATABASE_UNAVAILABLE_MESSAGE,
  databaseErrorReason,
  isDatabaseUnavailable,
  isRedisUnavailable,
  outageMessage,
  REDIS_UNAVAILABLE_MESSAGE,
} from './unavailable.ts';
