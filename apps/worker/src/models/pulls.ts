// This worker's model downloads into its own models folder: one at a time per model, progress for
// the web app (throttled), cancel. A cancelled or interrupted download keeps its .part for resuming.
import type { PullProgress } from '@visage/db/models';
import {
  DownloadCancelledError,
  downloadModel,
  type ModelStore,
  type ModelVariant,
} from '@visage/inference/models';

/** Byte counts are published at most this often; state changes and notices at once. */
export const PULL_PROGRESS_INTERVAL_MS = 250;

interface Pull {
  controller: AbortController;
  last: PullProgress;
  /** Settles when the download has ended, whichever way. */
  done: Promise<void>;
}

export interface PullHooks {
  /** Every published update (throttled while bytes arrive). */
  onProgress(progress: PullProgress): void;
  /** A pull ended (done, failed, cancelled): the files on disk changed. Awaited before its last update is published. */
  onSettled(progress: PullProgress): Promise<void>;
  /** A download failed for a reason other than a cancel (logged by the owner with context). */
  onError(error: Error, id: string): void;
}

export class ModelPulls {
  readonly #pulls = new Map<string, Pull>();
  readonly #store: ModelStore;
  readonly #hooks: PullHooks;
  readonly #download: typeof downloadModel;
  /** Starts at the clock, so a restarted worker's updates still count as newer than its last ones. */
  #seq = Date.now();

  constructor(store: ModelStore, hooks: PullHooks, download = downloadModel) {
    this.#store = store;
    this.#hooks = hooks;
    this.#download = download;
  }

  /** The running pull of a model, or its last one. */
  get(id: string): PullProgress | null {
    return this.#pulls.get(id)?.last ?? null;
  }

  /** Starts downloading `variant` of model `id` (the running pull when there is one already). */
  start(id: string, variant: ModelVariant): PullProgress {
    const running = this.#pulls.get(id);
    if (running?.last.state === 'running') return running.last;
    const controller = new AbortController();
    const pull: Pull = {
      controller,
      last: {
        id,
        precision: variant.precision,
        state: 'running',
        received: 0,
        total: variant.bytes,
        message: null,
        seq: ++this.#seq,
      },
      done: Promise.resolve(),
    };
    this.#pulls.set(id, pull);
    let publishedAt = 0;
    const update = (change: Partial<PullProgress>, publish: boolean) => {
      pull.last = { ...pull.last, ...change, seq: ++this.#seq };
      if (publish) {
        publishedAt = Date.now();
        this.#hooks.onProgress(pull.last);
      }
    };
    const settle = async (change: Partial<PullProgress>) => {
      update(change, false);
      try {
        await this.#hooks.onSettled(pull.last);
      } catch (error) {
        this.#hooks.onError(error as Error, id); // the update below still goes out
      }
      this.#hooks.onProgress(pull.last);
    };
    pull.done = this.#download(variant, this.#store.dirFor(id), {
      signal: controller.signal,
      onProgress: (received, total) =>
        update({ received, total }, Date.now() - publishedAt >= PULL_PROGRESS_INTERVAL_MS),
      onNotice: (message) => update({ message }, true),
    }).then(
      (result) => settle({ state: 'done', received: result.bytes, total: result.bytes, message: null }),
      (error: Error) => {
        if (error instanceof DownloadCancelledError || controller.signal.aborted) {
          const message = 'Cancelled; pulling again resumes where it stopped';
          return settle({ state: 'cancelled', message });
        }
        this.#hooks.onError(error, id);
        return settle({ state: 'failed', message: error.message });
      },
    );
    return pull.last;
  }

  /** Stops a running pull (its .part stays); false when none runs. */
  cancel(id: string): boolean {
    const pull = this.#pulls.get(id);
    if (pull?.last.state !== 'running') return false;
    pull.controller.abort();
    return true;
  }

  /** Cancels every running pull and waits until each has ended (shutdown). */
  async cancelAll(): Promise<void> {
    for (const id of this.#pulls.keys()) this.cancel(id);
    await Promise.all([...this.#pulls.values()].map((pull) => pull.done));
  }
}
