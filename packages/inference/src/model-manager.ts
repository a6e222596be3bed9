// Keeps ONNX sessions loaded within the device's memory budget (docs/architecture.md §6):
// leases pin a model; loading past the budget evicts the least recently used
// unpinned models; concurrent acquires of one model share one load; idle models may be unloaded
// after a TTL; a request that cannot fit even after evicting everything unpinned fails clearly.
import type { ProviderName } from '@visage/device';
import { createSession, type ModelSession, type SessionLogger } from './session/session.ts';

/** Where a model's file is and what it costs; the model store implements this. */
export interface ModelLocation {
  path: string;
  /** File size. */
  bytes: number;
  /** Memory once loaded, when better known than the file size. */
  residentBytes?: number | null;
  /** Providers this model can use (e.g. only the CPU for 5-D GridSample on CoreML); null = any. */
  providers?: readonly ProviderName[] | null;
  /** The file's expected SHA-256 (checked on download/import), for job metadata; null when unknown. */
  sha256?: string | null;
  /** Which variant of the model this is. */
  precision?: string;
}

export interface ModelLocator {
  locate(id: string): Promise<ModelLocation>;
}

export type LoadModel = (
  id: string,
  location: ModelLocation,
  providers: readonly ProviderName[],
) => Promise<ModelSession>;

export interface ModelManagerOptions {
  budgetBytes: number;
  locator: ModelLocator;
  /** The device's provider chain, e.g. ['cuda', 'cpu']. */
  providers: readonly ProviderName[];
  log: SessionLogger & { info(obj: object, msg: string): void };
  /** Unload a model this long after its last lease ends; 0 or undefined keeps it until evicted. */
  idleTtlMs?: number;
  gpuIndex?: number;
  /** How a model is loaded; tests may count or slow loads. Defaults to an onnxruntime session. */
  load?: LoadModel;
}

export interface ModelLease {
  id: string;
  session: ModelSession;
  /** Where the loaded file is (e.g. to read weights the session does not expose, like inswapper's emap). */
  location: ModelLocation;
  /** Unpins the model (it stays loaded until evicted or idle). Calling it twice is harmless. */
  release(): void;
}

export class ModelBudgetError extends Error {
  override name = 'ModelBudgetError';
}

interface Resident {
  id: string;
  session: ModelSession;
  location: ModelLocation;
  bytes: number;
  pins: number;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

/** What a job records of the model memory: now, the peak so far, and the budget (bytes). */
export interface ModelMemory {
  residentBytes: number;
  peakResidentBytes: number;
  budgetBytes: number;
}

export interface ModelManagerStats {
  budgetBytes: number;
  residentBytes: number;
  /** Bytes promised to loads in progress (counted against the budget too). */
  loadingBytes: number;
  /** The most resident + loading bytes at any moment so far: what the budget had to hold. */
  peakResidentBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  loads: number;
  loadMsTotal: number;
  models: { id: string; bytes: number; pins: number; provider: ProviderName; lastUsed: number }[];
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

export class ModelManager {
  readonly #options: ModelManagerOptions;
  readonly #resident = new Map<string, Resident>(); // insertion order is irrelevant; lastUsed decides
  readonly #loading = new Map<string, { bytes: number; promise: Promise<Resident> }>();
  readonly #counters = { hits: 0, misses: 0, evictions: 0, loads: 0, loadMsTotal: 0 };
  #peakBytes = 0;
  #closed = false;

  constructor(options: ModelManagerOptions) {
    this.#options = options;
  }

  get budgetBytes(): number {
    return this.#options.budgetBytes;
  }

  /** Where a model's file is (its store entry), without loading it: for files that are not sessions. */
  locate(id: string): Promise<ModelLocation> {
    return this.#options.locator.locate(id);
  }

  async acquire(id: string): Promise<ModelLease> {
    if (this.#closed) throw new Error(`Cannot load ${id}: the model manager is shut down`);
    const resident = this.#resident.get(id);
    if (resident) {
      this.#counters.hits++;
      return this.#lease(resident);
    }
    const loading = this.#loading.get(id);
    if (loading) {
      this.#counters.hits++; // shared the load another caller started
      return this.#lease(await loading.promise);
    }
    this.#counters.misses++;
    // Registered before the first await, so every concurrent acquire of this id shares this load.
    const entry: { bytes: number; promise: Promise<Resident> } = {
      bytes: 0,
      promise: Promise.resolve() as never,
    };
    entry.promise = (async () => {
      const location = await this.#options.locator.locate(id);
      const bytes = location.residentBytes ?? location.bytes;
      // Choosing victims and reserving the bytes happen with no await in between, so concurrent
      // loads of different models always see each other's reservations and never overcommit.
      const victims = this.#reserveRoom(id, bytes);
      entry.bytes = bytes;
      this.#peakBytes = Math.max(this.#peakBytes, this.#residentBytes() + this.#loadingBytes());
      const resident = await this.#evictThenLoad(id, location, bytes, victims);
      // Move the bytes from "loading" to "resident" in one step. It stays out of eviction while
      // its loading entry exists, i.e. until the caller's lease pins it.
      this.#resident.set(id, resident);
      entry.bytes = 0;
      return resident;
    })();
    this.#loading.set(id, entry);
    try {
      return this.#lease(await entry.promise);
    } finally {
      if (this.#loading.get(id) === entry) this.#loading.delete(id); // a failed load is not remembered
    }
  }

  /** Unloads a model that no lease pins; returns false when it is pinned or not loaded. */
  async unload(id: string): Promise<boolean> {
    const resident = this.#resident.get(id);
    if (!resident || resident.pins > 0) return false;
    await this.#drop(resident);
    return true;
  }

  /** Releases every session (graceful shutdown, after the jobs have ended). */
  async unloadAll(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#loading.values()].map((l) => l.promise));
    const pinned = [...this.#resident.values()].filter((r) => r.pins > 0).map((r) => r.id);
    if (pinned.length) this.#options.log.warn({ pinned }, 'unloading models that are still leased');
    await Promise.all([...this.#resident.values()].map((r) => this.#drop(r)));
  }

  memory(): ModelMemory {
    return {
      residentBytes: this.#residentBytes(),
      peakResidentBytes: this.#peakBytes,
      budgetBytes: this.#options.budgetBytes,
    };
  }

  stats(): ModelManagerStats {
    const models = [...this.#resident.values()].map((r) => ({
      id: r.id,
      bytes: r.bytes,
      pins: r.pins,
      provider: r.session.provider,
      lastUsed: r.lastUsed,
    }));
    return {
      budgetBytes: this.#options.budgetBytes,
      residentBytes: this.#residentBytes(),
      loadingBytes: this.#loadingBytes(),
      peakResidentBytes: this.#peakBytes,
      ...this.#counters,
      models,
    };
  }

  #residentBytes(): number {
    let total = 0;
    for (const r of this.#resident.values()) total += r.bytes;
    return total;
  }

  #loadingBytes(): number {
    let total = 0;
    for (const l of this.#loading.values()) total += l.bytes;
    return total;
  }

  /**
   * Picks least recently used unpinned models to evict so that `bytes` more fit in the budget and
   * takes them out of the accounting at once. Throws when even evicting all of them is not enough.
   */
  #reserveRoom(id: string, bytes: number): Resident[] {
    const { budgetBytes } = this.#options;
    if (bytes > budgetBytes) {
      throw new ModelBudgetError(
        `Model ${id} needs ${mib(bytes)}, more than the whole model budget (${mib(budgetBytes)})`,
      );
    }
    const evict: Resident[] = [];
    let used = this.#residentBytes() + this.#loadingBytes();
    const candidates = [...this.#resident.values()]
      .filter((r) => r.pins === 0 && !this.#loading.has(r.id))
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (used + bytes > budgetBytes) {
      const victim = candidates.shift();
      if (!victim) {
        const pinned = [...this.#resident.values()]
          .filter((r) => r.pins > 0)
          .map((r) => `${r.id} (${mib(r.bytes)})`);
        const loading = [...this.#loading.keys()].filter((other) => other !== id);
        throw new ModelBudgetError(
          `Cannot load ${id} (${mib(bytes)}): the models in use already take ${mib(used)} of the ${mib(budgetBytes)} budget` +
            ` [in use: ${pinned.join(', ') || 'none'}${loading.length ? `; loading: ${loading.join(', ')}` : ''}]. ` +
            'Raise VISAGE_MODEL_MEMORY_GB, free GPU memory, or run fewer jobs at once.',
        );
      }
      evict.push(victim);
      used -= victim.bytes;
    }
    for (const victim of evict) this.#resident.delete(victim.id);
    this.#counters.evictions += evict.length;
    return evict;
  }

  async #evictThenLoad(
    id: string,
    location: ModelLocation,
    bytes: number,
    victims: Resident[],
  ): Promise<Resident> {
    const { providers, log, gpuIndex } = this.#options;
    for (const victim of victims) {
      log.info(
        { model: victim.id, bytes: victim.bytes, for: id },
        `evicting ${victim.id} to make room for ${id}`,
      );
      await this.#release(victim);
    }
    const allowed = location.providers ? providers.filter((p) => location.providers?.includes(p)) : providers;
    const chain = allowed.length ? allowed : (['cpu'] as const);
    const started = performance.now();
    const load =
      this.#options.load ??
      ((modelId, where, on) => createSession(where.path, { id: modelId, providers: on, log, gpuIndex }));
    const session = await load(id, location, chain);
    const ms = performance.now() - started;
    this.#counters.loads++;
    this.#counters.loadMsTotal += ms;
    log.info(
      { model: id, provider: session.provider, bytes, ms: Math.round(ms) },
      `loaded ${id} on ${session.provider}`,
    );
    return { id, session, location, bytes, pins: 0, lastUsed: Date.now() };
  }

  #lease(resident: Resident): ModelLease {
    resident.pins++;
    resident.lastUsed = Date.now();
    clearTimeout(resident.idleTimer);
    resident.idleTimer = undefined;
    let released = false;
    return {
      id: resident.id,
      session: resident.session,
      location: resident.location,
      release: () => {
        if (released) return;
        released = true;
        resident.pins--;
        resident.lastUsed = Date.now();
        if (resident.pins === 0) this.#scheduleIdleUnload(resident);
      },
    };
  }

  #scheduleIdleUnload(resident: Resident): void {
    const ttl = this.#options.idleTtlMs;
    if (!ttl) return;
    resident.idleTimer = setTimeout(() => {
      if (resident.pins > 0 || this.#resident.get(resident.id) !== resident) return;
      this.#options.log.info({ model: resident.id, idleMs: ttl }, `unloading idle model ${resident.id}`);
      this.#drop(resident).catch((error: unknown) =>
        this.#options.log.warn(
          { err: error, model: resident.id },
          `could not release idle model ${resident.id}`,
        ),
      );
    }, ttl);
    resident.idleTimer.unref();
  }

  async #drop(resident: Resident): Promise<void> {
    if (this.#resident.get(resident.id) === resident) this.#resident.delete(resident.id);
    await this.#release(resident);
  }

  async #release(resident: Resident): Promise<void> {
    clearTimeout(resident.idleTimer);
    await resident.session.release();
  }
}
