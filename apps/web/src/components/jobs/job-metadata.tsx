import type { ReactNode } from 'react';
import { CopyButton } from '@/components/ui/copy-button';
import { humanize } from '@/lib/form-fields';
import { formatDuration } from '@/lib/format';

interface ModelUse {
  id: string;
  role: string;
  provider: string;
  precision?: string | null;
  sha256?: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2">
      <h3 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">{title}</h3>
      {children}
    </section>
  );
}

function ModelsUsed({ models }: { models: ModelUse[] }) {
  return (
    <Section title="Models">
      <ul className="divide-y rounded-lg border text-sm">
        {models.map((m) => (
          <li key={`${m.role}-${m.id}`} className="space-y-0.5 px-3 py-2">
            <div className="flex items-baseline justify-between gap-2">
              <span className="min-w-0 truncate font-medium">{m.id}</span>
              <span className="shrink-0 text-xs text-muted-foreground">{humanize(m.role)}</span>
            </div>
            <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
              <span>{[m.provider, m.precision].filter(Boolean).join(' · ')}</span>
              {m.sha256 ? (
                <span className="flex items-center">
                  <code title={m.sha256} className="font-mono">
                    {m.sha256.slice(0, 12)}…
                  </code>
                  <CopyButton value={m.sha256} label={`Copy the SHA-256 of ${m.id}`} />
                </span>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** Where the time went: one bar per stage, scaled to the longest ("total" is shown as text). */
function StageTimings({ stages }: { stages: Record<string, number> }) {
  const { total, ...rest } = stages;
  const entries = Object.entries(rest).filter(([, ms]) => typeof ms === 'number' && ms > 0);
  const longest = Math.max(1, ...entries.map(([, ms]) => ms));
  return (
    <Section title="Time per stage">
      <ul className="space-y-1.5 text-xs">
        {entries.map(([stage, ms]) => (
          <li key={stage} className="grid grid-cols-[7rem_minmax(0,1fr)_4rem] items-center gap-2">
            <span className="truncate text-muted-foreground">{humanize(stage)}</span>
            <span className="h-1.5 rounded-full bg-muted">
              <span
                className="block h-full rounded-full bg-primary"
                style={{ width: `${Math.max(2, (ms / longest) * 100)}%` }}
              />
            </span>
            <span className="text-right tabular-nums">
              {ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms)}
            </span>
          </li>
        ))}
      </ul>
      {typeof total === 'number' ? (
        <p className="text-xs text-muted-foreground">Total {formatDuration(total)}</p>
      ) : null}
    </Section>
  );
}

/** What the worker recorded: models with their checksums, stage timings, faces, and the rest as JSON. */
export function JobMetadata({ metadata }: { metadata: unknown }) {
  if (!isRecord(metadata)) return null;
  const { modelsUsed, stageMs, faces, ...rest } = metadata;
  const models = Array.isArray(modelsUsed) ? (modelsUsed as ModelUse[]) : [];
  return (
    <div className="space-y-5">
      {isRecord(faces) && typeof faces.found === 'number' ? (
        <p className="text-sm">
          <span className="font-medium">{faces.found}</span> {faces.found === 1 ? 'face' : 'faces'} found
          {typeof faces.swapped === 'number' ? (
            <>
              , <span className="font-medium">{faces.swapped}</span> swapped
            </>
          ) : null}
        </p>
      ) : null}
      {models.length > 0 ? <ModelsUsed models={models} /> : null}
      {isRecord(stageMs) ? <StageTimings stages={stageMs as Record<string, number>} /> : null}
      {Object.keys(rest).length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-muted-foreground">All metadata</summary>
          <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-muted p-3 text-xs">
            {JSON.stringify(rest, null, 2)}
          </pre>
        </details>
      ) : null}
    </div>
  );
}
