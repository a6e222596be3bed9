import { AlertTriangle } from 'lucide-react';

/** Models on the CPU although the worker has an accelerator: the user must know why it is slow. */
export function CpuFallbackBanner({ models, accelerator }: { models: string[]; accelerator: string }) {
  if (models.length === 0) return null;
  const names = models.length === 1 ? models[0] : `${models.slice(0, -1).join(', ')} and ${models.at(-1)}`;
  return (
    <p
      role="alert"
      data-testid="cpu-fallback"
      className="flex gap-2 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm"
    >
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
      <span>
        <strong>
          {names} {models.length === 1 ? 'runs' : 'run'} on the CPU
        </strong>{' '}
        although this worker has {accelerator === 'mps' ? 'Apple Silicon (mps)' : accelerator.toUpperCase()} —
        expect low fps.
      </span>
    </p>
  );
}
