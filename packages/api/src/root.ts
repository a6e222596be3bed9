import { apiKeysRouter } from './routers/api-keys.ts';
import { assetsRouter } from './routers/assets.ts';
import { faceswapRouter } from './routers/faceswap.ts';
import { jobsRouter } from './routers/jobs.ts';
import { liveRouter } from './routers/live.ts';
import { modelsRouter } from './routers/models.ts';
import { systemRouter } from './routers/system.ts';
import { teamRouter } from './routers/team.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  jobs: jobsRouter,
  assets: assetsRouter,
  system: systemRouter,
  apiKeys: apiKeysRouter,
  team: teamRouter,
  models: modelsRouter,
  live: liveRouter,
  faceswap: faceswapRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
