'use client';
import { Radio } from 'lucide-react';
import type { AssetSummary } from '@/trpc/types';

/** A live recording carries its live summary (docs/live.md §5: recordings are saved without a job). */
export const isLiveRecording = (asset: Pick<AssetSummary, 'live'>) => asset.live !== null;

/** The pill on a live recording's thumbnail. */
export function LiveBadge() {
  return (
    <span className="pointer-events-none absolute top-2 right-2 flex items-center gap-1 rounded-full bg-black/70 px-2 py-0.5 text-xs font-medium text-white">
      <Radio className="size-3" aria-hidden="true" />
      Live
    </span>
  );
}

/**
 * A live recording's info lines: the tool that made it, as a job's card names its plugin, then when
 * and on which device (the providers of its models in the tooltip).
 */
export function LiveCardInfo({
  live,
  when,
  pluginTitles,
}: {
  live: NonNullable<AssetSummary['live']>;
  when: string;
  pluginTitles: Record<string, string>;
}) {
  const tool = pluginTitles[live.plugin] ?? live.plugin;
  const models = Object.entries(live.providers).map(([model, provider]) => `${model}: ${provider}`);
  return (
    <div className="min-w-0 flex-1" title={[`Live ${tool.toLowerCase()}`, ...models].join('\n')}>
      <p className="truncate text-sm font-medium">{tool}</p>
      <p className="truncate text-xs text-muted-foreground" data-testid="live-provenance">
        {when}
        {live.device ? ` · ${live.device}` : ''}
      </p>
    </div>
  );
}
