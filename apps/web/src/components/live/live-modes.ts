import type { RouterOutputs } from '@/trpc/types';

/** One live mode as live.modes describes it: its options' schema and the workers that run it. */
export type LiveMode = RouterOutputs['live']['modes'][number];
