'use client';
import { useQuery } from '@tanstack/react-query';
import { Radio } from 'lucide-react';
import { useTRPC } from '@/trpc/react';
import type { AssetSummary } from '@/trpc/types';

/** Every output but a live recording is made by a job (docs/live.md: recordings are saved without one). */
export const isLiveRecording = (asset: Pick<AssetSummary, 'kind' | 'job'>) =>
  asset.kind === 'output' && asset.job === null;

interface LiveMetadata {
  plugin: string;
  device?: string;
  providers?: Record<string, string>;
}

function liveMetadata(metadata: unknown): LiveMetadata | null {
  const live = (metadata as { live?: unknown } | null)?.live;
  if (typeof live !== 'object' || live === null) return null;
  const { plugin, device, providers } = live as Record<string, unknown>;
  if (typeof plugin !== 'string') return null;
  return {
    plugin,
    device: typeof device === 'string' ? device : undefined,
    providers:
      typeof providers === 'object' && providers !== null ? (providers as Record<string, string>) : {},
  };
}

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
 * and on which device (the providers of its models in the tooltip). The list has no metadata, so
 * it is read from the asset itself; until then the card says "Live recording".
 */
export function LiveCardInfo({
  assetId,
  title,
  when,
  pluginTitles,
}: {
  assetId: string;
  title: string;
  when: string;
  pluginTitles: Record<string, string>;
}) {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.assets.get.queryOptions({ id: assetId }), staleTime: Infinity });
  const live = liveMetadata(data?.metadata);
  const tool = live ? (pluginTitles[live.plugin] ?? live.plugin) : title;
  const models = Object.entries(live?.providers ?? {}).map(([model, provider]) => `${model}: ${provider}`);
  return (
    <div className="min-w-0 flex-1" title={[`Live ${tool.toLowerCase()}`, ...models].join('\n')}>
      <p className="truncate text-sm font-medium">{tool}</p>
      <p className="truncate text-xs text-muted-foreground" data-testid="live-provenance">
        {when}
        {live?.device ? ` · ${live.device}` : ''}
      </p>
    </div>
  );
}
