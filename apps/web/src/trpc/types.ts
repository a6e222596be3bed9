import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@visage/api';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type JobDetail = RouterOutputs['jobs']['get'];
export type AssetSummary = RouterOutputs['assets']['list']['items'][number];
