'use client';
import { useQuery } from '@tanstack/react-query';
import { Cpu } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { formatBytes } from '@/lib/upload';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';

type Worker = RouterOutputs['system']['status']['workers'][number];

/** The workers that are online: device, providers, precision, memory budget and loaded models. */
export function DeviceCard() {
  const trpc = useTRPC();
  // Heartbeats refresh every 10 s; polling faster would show nothing new.
  const status = useQuery({ ...trpc.system.status.queryOptions(), refetchInterval: 10_000 });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Workers</CardTitle>
        <CardDescription>Machines running jobs, from their last heartbeat.</CardDescription>
      </CardHeader>
      <CardContent>
        {status.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : status.isError ? (
          <p className="text-sm text-destructive">{status.error.message}</p>
        ) : status.data.workers.length === 0 ? (
          <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">
            No worker is online: jobs wait in the queue until one starts (pnpm start, or the worker
            container).
          </p>
        ) : (
          <ul className="space-y-4" aria-label="Workers">
            {status.data.workers.map((worker) => (
              <WorkerSummary key={worker.id} worker={worker} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

function WorkerSummary({ worker }: { worker: Worker }) {
  const models = worker.models;
  const budgetUse = models && models.budgetBytes > 0 ? models.residentBytes / models.budgetBytes : 0;
  return (
    <li className="space-y-3 rounded-lg border p-4">
      <div className="flex items-start gap-3">
        <Cpu className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        <div className="min-w-0 flex-1">
          <p className="font-medium break-words" data-testid="worker-device">
            {worker.device ?? worker.id}
          </p>
          <p className="text-xs text-muted-foreground break-all">
            {/* Host and pid are for admins only (docs/security.md §4). */}
            {worker.host ? `${worker.host} · pid ${worker.pid} · ` : ''}since{' '}
            {new Date(worker.startedAt).toLocaleString()}
          </p>
        </div>
        <Badge variant="secondary">{worker.accelerator}</Badge>
      </div>
      {models ? (
        <>
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            <Fact term="Providers" value={models.providers.join(' → ') || '—'} />
            <Fact term="Precision" value={models.precision} />
            <Fact
              term="Memory budget"
              value={`${formatBytes(models.residentBytes)} of ${formatBytes(models.budgetBytes)}`}
              hint={models.budgetReason}
            />
            <Fact
              term="Cache"
              value={`${models.hits} hits · ${models.misses} misses · ${models.evictions} evicted`}
            />
          </dl>
          <div className="h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden="true">
            <div className="h-full bg-primary" style={{ width: `${Math.min(100, budgetUse * 100)}%` }} />
          </div>
          {models.resident.length === 0 ? (
            <p className="text-xs text-muted-foreground">
              No model loaded yet: the first job loads what it needs.
            </p>
          ) : (
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Models loaded on {worker.host}</caption>
              <thead className="text-muted-foreground">
                <tr>
                  <th scope="col" className="py-1 font-medium">
                    Loaded model
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    Provider
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Size
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {models.resident.map((m) => (
                  <tr key={m.id}>
                    <td className="py-1.5 pr-2 font-mono break-all">{m.id}</td>
                    <td className="py-1.5 pr-2">{m.provider}</td>
                    <td className="py-1.5 text-right tabular-nums">{formatBytes(m.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p className="text-xs text-muted-foreground">This worker has not reported its models yet.</p>
      )}
    </li>
  );
}

function Fact({ term, value, hint }: { term: string; value: string; hint?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{term}</dt>
      <dd className="break-words" title={hint}>
        {value}
      </dd>
      {hint ? <dd className="text-xs text-muted-foreground break-words">{hint}</dd> : null}
    </div>
  );
}
