// Model downloads started from the API (Settings → Models): one at a time per model, with progress
// for SSE subscribers and cancel. Runs in the web process, which shares VISAGE_MODELS_DIR with the
// worker (same machine, or the shared `models` volume in docker-compose.yml).
import { EventEmitter, on } from 'node:events';
import {
  DownloadCancelledError,
  downloadModel,
  findVariant,
  type ModelStore,
  type Precision,
} from '@visage/inference/models';

export interface PullProgress {
  id: string;
  precision: Precision;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  received: number;
  total: number | null;
  /** Retries and mirror changes, or the failure. */
  message: string | null;
}

/** A pull that cannot start (a model without a public download); its message says what to do. */
export class PullRefusedError extends Error {
  override name = 'PullRefusedError';
}

interface Pull {
  controller: AbortController;
  last: PullProgress;
}

export class ModelPulls {
  readonly #pulls = new Map<string, Pull>();
  readonly #events = new EventEmitter();
  readonly #store: ModelStore;
  readonly #onError: (error: Error, id: string) => void;
  readonly #download: typeof downloadModel;

  constructor(store: ModelStore, onError: (error: Error, id: string) => void, download = downloadModel) {
    this.#store = store;
    this.#onError = onError;
    this.#download = download;
    this.#events.setMaxListeners(0);
  }

  /** The latest progress of a pull that is running or just ended. */
  get(id: string): PullProgress | null {
    return this.#pulls.get(id)?.last ?? null;
  }

  /** Starts downloading a model (no-op when it is already being pulled). */
  start(id: string, precision?: Precision): PullProgress {
    const running = this.#pulls.get(id);
    if (running?.last.state === 'running') return running.last;
    const entry = this.#store.entry(id);
    if (entry.availability !== 'download') {
      throw new PullRefusedError(
        `${id} has no public download: ${entry.note ?? 'export the ONNX file and import it'}`,
      );
    }
    const variant = findVariant(entry, precision);
    const pull: Pull = {
      controller: new AbortController(),
      last: {
        id,
        precision: variant.precision,
        state: 'running',
        received: 0,
        total: variant.bytes,
        message: null,
      },
    };
    this.#pulls.set(id, pull);
    const emit = (update: Partial<PullProgress>) => {
      pull.last = { ...pull.last, ...update };
      this.#events.emit(id, pull.last);
    };
    this.#download(variant, this.#store.dirFor(id), {
      signal: pull.controller.signal,
      onProgress: (received, total) => emit({ received, total }),
      onNotice: (message) => emit({ message }),
    }).then(
      (result) => emit({ state: 'done', received: result.bytes, total: result.bytes, message: null }),
      (error: Error) => {
        if (error instanceof DownloadCancelledError || pull.controller.signal.aborted) {
          emit({ state: 'cancelled', message: 'Cancelled; pulling again resumes where it stopped' });
          return;
        }
        this.#onError(error, id); // logged by the owner with context; the subscriber sees the message
        emit({ state: 'failed', message: error.message });
      },
    );
    return pull.last;
  }

  cancel(id: string): boolean {
    const pull = this.#pulls.get(id);
    if (pull?.last.state !== 'running') return false;
    pull.controller.abort();
    return true;
  }

  /** Progress of one model's pull until it ends or `signal` aborts. */
  async *watch(id: string, signal: AbortSignal): AsyncGenerator<PullProgress> {
    const current = this.get(id);
    if (!current) return;
    yield current;
    if (current.state !== 'running') return;
    for await (const [progress] of on(this.#events, id, { signal })) {
      yield progress as PullProgress;
      if ((progress as PullProgress).state !== 'running') return;
    }
  }

  /** Stops every running pull (shutdown); their .part files stay for a later resume. */
  cancelAll(): void {
    for (const id of this.#pulls.keys()) this.cancel(id);
  }
}
