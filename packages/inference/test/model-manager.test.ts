// The ModelManager with real onnxruntime sessions of fixture models and a tiny budget.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LoadModel, ModelBudgetError, type ModelLocation, ModelManager } from '../src/model-manager.ts';
import { buildFixtureModel } from '../src/onnx/fixture.ts';
import { createSession } from '../src/session/session.ts';

const quiet = { warn: () => undefined, debug: () => undefined, info: () => undefined };
let dir: string;
const locations = new Map<string, ModelLocation>();
const locator = {
  async locate(id: string) {
    const location = locations.get(id);
    if (!location) throw new Error(`no fixture ${id}`);
    return location;
  },
};

/** A fixture model whose file is about `kib` KiB (its weights are one float pattern). */
async function addModel(id: string, kib: number, extra: Partial<ModelLocation> = {}) {
  const floats = Math.round((kib * 1024) / 4);
  const bytes = buildFixtureModel({
    inputs: [{ name: 'x', dims: [1, 4] }],
    outputs: [{ name: 'y', dims: [1, floats] }],
  });
  const file = path.join(dir, `${id}.onnx`);
  await writeFile(file, bytes);
  locations.set(id, { path: file, bytes: (await stat(file)).size, ...extra });
}

/** Loads through onnxruntime, counting loads and checking the budget while each load runs. */
function countingLoader(check?: () => void, delayMs = 0) {
  const loads: string[] = [];
  const load: LoadModel = async (id, location, providers) => {
    loads.push(id);
    check?.();
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return createSession(location.path, { id, providers, log: quiet });
  };
  return { load, loads };
}

const size = (id: string) => locations.get(id)?.bytes ?? 0;
const residentIds = (manager: ModelManager) =>
  manager
    .stats()
    .models.map((m) => m.id)
    .sort();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-models-'));
  for (const id of ['a', 'b', 'c', 'd']) await addModel(id, 64);
  await addModel('big', 200);
  await addModel('cpu-only', 16, { providers: ['cpu'] });
  await addModel('estimated', 16, { residentBytes: 100 * 1024 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function manager(budgetModels: number, extra: Partial<ConstructorParameters<typeof ModelManager>[0]> = {}) {
  return new ModelManager({
    budgetBytes: Math.floor(size('a') * budgetModels),
    locator,
    providers: ['cpu'],
    log: quiet,
    ...extra,
  });
}

describe(ModelManager.name, () => {
  it('should count a first acquire as a miss and a later one as a hit, loading once', async () => {
    const { load, loads } = countingLoader();
    const models = manager(3, { load });
    (await models.acquire('a')).release();
    const lease = await models.acquire('a');
    lease.release();
    lease.release(); // twice is harmless
    expect(loads).toEqual(['a']);
    expect(models.stats()).toMatchObject({
      hits: 1,
      misses: 1,
      loads: 1,
      evictions: 0,
      residentBytes: size('a'),
    });
    expect(models.stats().models[0]).toMatchObject({ id: 'a', pins: 0, provider: 'cpu' });
    await models.unloadAll();
  });

  it('should evict the least recently used unpinned model first', async () => {
    const models = manager(2.5);
    (await models.acquire('a')).release();
    (await models.acquire('b')).release();
    await new Promise((r) => setTimeout(r, 5));
    (await models.acquire('a')).release(); // a is now more recent than b
    (await models.acquire('c')).release();
    expect(residentIds(models)).toEqual(['a', 'c']);
    (await models.acquire('d')).release(); // a is now the oldest
    expect(residentIds(models)).toEqual(['c', 'd']);
    expect(models.stats().evictions).toBe(2);
    await models.unloadAll();
  });

  it('should never evict a pinned model, and say so when pinned models leave no room', async () => {
    const models = manager(2.5);
    const a = await models.acquire('a');
    const b = await models.acquire('b');
    const error = await models.acquire('c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBudgetError);
    expect((error as Error).message).toMatch(
      /^Cannot load c \(.* MiB\): the models in use already take .* \[in use: a \(.*\), b \(.*\)\]/,
    );
    expect(residentIds(models)).toEqual(['a', 'b']);
    a.release();
    const c = await models.acquire('c');
    expect(residentIds(models)).toEqual(['b', 'c']); // a went, b (pinned) stayed
    b.release();
    c.release();
    await models.unloadAll();
  });

  it('should refuse a model larger than the whole budget', async () => {
    const models = manager(2.5);
    await expect(models.acquire('big')).rejects.toThrow(
      /^Model big needs .* MiB, more than the whole model budget/,
    );
  });

  it('should share one load between concurrent acquires of the same model', async () => {
    const { load, loads } = countingLoader(undefined, 50);
    const models = manager(3, { load });
    const leases = await Promise.all([1, 2, 3, 4, 5].map(() => models.acquire('a')));
    expect(loads).toEqual(['a']);
    expect(new Set(leases.map((l) => l.session)).size).toBe(1);
    expect(models.stats()).toMatchObject({ misses: 1, hits: 4 });
    expect(models.stats().models[0]?.pins).toBe(5);
    for (const lease of leases) lease.release();
    await models.unloadAll();
  });

  it('should not remember a failed load', async () => {
    let fail = true;
    const models = manager(3, {
      load: async (id, location, providers) => {
        if (fail) throw new Error('disk hiccup');
        return createSession(location.path, { id, providers, log: quiet });
      },
    });
    await expect(models.acquire('a')).rejects.toThrow('disk hiccup');
    fail = false;
    (await models.acquire('a')).release();
    expect(models.stats().loads).toBe(1);
    await models.unloadAll();
  });

  it('should stay within the budget after every operation of a busy random workload', async () => {
    let models: ModelManager | undefined;
    let worst = 0;
    const check = () => {
      const stats = models?.stats();
      if (!stats) return;
      worst = Math.max(worst, stats.residentBytes + stats.loadingBytes);
      expect(stats.residentBytes + stats.loadingBytes).toBeLessThanOrEqual(stats.budgetBytes);
    };
    const { load } = countingLoader(check, 2);
    models = manager(3.2, { load });
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ids = ['a', 'b', 'c', 'd', 'estimated', 'cpu-only'];
    for (let round = 0; round < 40; round++) {
      // Up to two leases at a time (like two concurrent jobs), acquired concurrently.
      const wanted = [
        ids[Math.floor(random() * ids.length)] ?? 'a',
        ids[Math.floor(random() * ids.length)] ?? 'b',
      ];
      const results = await Promise.allSettled(wanted.map((id) => models.acquire(id)));
      check();
      for (const result of results) {
        if (result.status === 'fulfilled') result.value.release();
        else expect(result.reason).toBeInstanceOf(ModelBudgetError);
        check();
      }
    }
    expect(models.stats().evictions).toBeGreaterThan(5);
    expect(worst).toBeGreaterThan(size('a') * 2); // the budget was actually used
    await models.unloadAll();
    expect(models.stats().residentBytes).toBe(0);
  });

  it('should use the catalog estimate of resident memory when it has one', async () => {
    const models = manager(3);
    (await models.acquire('estimated')).release();
    expect(models.stats().residentBytes).toBe(100 * 1024);
    await models.unloadAll();
  });

  it("should honour a model's allowed providers", async () => {
    const seen: string[][] = [];
    const models = manager(3, {
      providers: ['coreml', 'cpu'],
      load: async (id, location, providers) => {
        seen.push([...providers]);
        return createSession(location.path, { id, providers: ['cpu'], log: quiet });
      },
    });
    (await models.acquire('cpu-only')).release();
    (await models.acquire('a')).release();
    expect(seen).toEqual([['cpu'], ['coreml', 'cpu']]);
    await models.unloadAll();
  });

  it('should unload a model left idle past its TTL, but never a leased one', async () => {
    const ttl = 60_000;
    const models = manager(3, { idleTtlMs: ttl });
    const held = await models.acquire('a');
    const idle = await models.acquire('b');
    // Fake clocks from the first release on (loading runs onnxruntime, which must not see them).
    vi.useFakeTimers();
    try {
      idle.release();
      await vi.advanceTimersByTimeAsync(ttl - 1);
      expect(residentIds(models)).toEqual(['a', 'b']);
      await vi.advanceTimersByTimeAsync(1);
      expect(residentIds(models)).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(10 * ttl);
      expect(residentIds(models)).toEqual(['a']);
      held.release();
      await vi.advanceTimersByTimeAsync(ttl);
      expect(residentIds(models)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
    await models.unloadAll();
  });

  it('should refuse new work after unloadAll (shutdown)', async () => {
    const models = manager(3);
    (await models.acquire('a')).release();
    await models.unloadAll();
    expect(models.stats().models).toEqual([]);
    await expect(models.acquire('a')).rejects.toThrow('Cannot load a: the model manager is shut down');
  });
});
