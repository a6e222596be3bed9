// The wan fixture models (docs/models/wan.md §9.7): their declared I/O is the contract (names, types,
// fixed and symbolic dims), they run at several tiny sizes with the output shapes the contract and
// docs/models/wan.md §6.3–6.5 give, every input moves the outputs, and the properties the plugin's
// tests lean on hold (causal VAE frames, token order of the RoPE tables, caches carried along,
// a bounded sampler).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSession, type ModelSession, ort } from '@visage/inference';
import { ModelStore } from '@visage/inference/models';
import { afterAll, describe, expect, it } from 'vitest';
import { modelCatalog } from '../src/catalog.ts';
import {
  buildWanFixture,
  installWanFixtureModels,
  WAN_FIXTURE_IDS,
  type WanFixtureId,
  writeWanFixtureModels,
} from '../src/testing/wan-fixtures.ts';
import { T2V_CONTRACTS, VACE_CONTRACTS, type WanContract } from '../src/wan/contracts.ts';

const quiet = { warn: () => undefined, debug: () => undefined };

const CONTRACT_OF: Record<WanFixtureId, WanContract> = {
  'wan2.1_umt5_xxl': VACE_CONTRACTS.textEncoder,
  'wan2.1_vace_1.3b': VACE_CONTRACTS.transformer,
  'wan2.1_vae_encoder': VACE_CONTRACTS.vaeEncoder,
  'wan2.1_vae_decoder_first': VACE_CONTRACTS.vaeDecoderFirst,
  'wan2.1_vae_decoder': VACE_CONTRACTS.vaeDecoder,
  'wan2.1_t2v_umt5_xxl': T2V_CONTRACTS.textEncoder,
  'wan2.1_t2v_1.3b': T2V_CONTRACTS.transformer,
  'wan2.1_t2v_vae_decoder': T2V_CONTRACTS.vaeDecoder,
};

/** Scale of decoder cache slot i over the latent size (docs/models/wan.md §6.5). */
const cacheScale = (i: number) => (i <= 11 ? 1 : i <= 18 ? 2 : i <= 24 ? 4 : 8);

const sessions = new Map<string, Promise<ModelSession>>();
function session(id: WanFixtureId): Promise<ModelSession> {
  let s = sessions.get(id);
  if (!s) {
    s = createSession(buildWanFixture(WAN_FIXTURE_IDS[id]), { id, providers: ['cpu'], log: quiet });
    sessions.set(id, s);
  }
  return s;
}
afterAll(async () => {
  for (const s of sessions.values()) await (await s).release();
});

const run = async (id: WanFixtureId, feeds: Record<string, ort.Tensor>) => (await session(id)).run(feeds);
const size = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 1);
const values = (t: ort.Tensor | undefined) => {
  if (!t) throw new Error('no such output');
  return t.data as Float32Array;
};

/** A deterministic float32 tensor with values in [−scale, scale]. */
function floats(dims: number[], seed = 0, scale = 1): ort.Tensor {
  const data = new Float32Array(size(dims));
  for (let i = 0; i < data.length; i++) data[i] = scale * Math.sin(i * 1.37 + seed * 2.1 + 0.3);
  return new ort.Tensor('float32', data, dims);
}

const int64s = (dims: number[], list: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(list, BigInt), dims);

/** A copy of `t` with `change` applied to each value at a flat index where `where` holds. */
function edited(
  t: ort.Tensor,
  where: (index: number[]) => boolean,
  change = (v: number) => v + 0.5,
): ort.Tensor {
  const data = Float32Array.from(values(t));
  forEachIndex(t.dims, (index, flat) => {
    if (where(index)) data[flat] = change(data[flat] as number);
  });
  return new ort.Tensor('float32', data, t.dims);
}

function forEachIndex(dims: readonly number[], visit: (index: number[], flat: number) => void): void {
  const index = dims.map(() => 0);
  for (let flat = 0; flat < size(dims); flat++) {
    visit(index, flat);
    for (let k = dims.length - 1; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      if ((index[k] as number) < (dims[k] as number)) break;
      index[k] = 0;
    }
  }
}

const maxDiff = (a: ort.Tensor | undefined, b: ort.Tensor | undefined) => {
  const x = values(a);
  const y = values(b);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
  return max;
};

/**
 * Elements of `a` and `b` differ only where `inside` holds, and inside nearly all do (a sine of two
 * different angles may still round to the same float32 now and then).
 */
function expectChangedExactly(
  a: ort.Tensor | undefined,
  b: ort.Tensor | undefined,
  inside: (index: number[]) => boolean,
) {
  const x = values(a);
  const y = values(b);
  let insideCount = 0;
  let insideChanged = 0;
  let outsideChanged = '';
  forEachIndex((a as ort.Tensor).dims, (index, flat) => {
    const changed = x[flat] !== y[flat];
    if (inside(index)) {
      insideCount++;
      if (changed) insideChanged++;
    } else if (changed && !outsideChanged) outsideChanged = `[${index.join(', ')}] ${x[flat]} → ${y[flat]}`;
  });
  expect(outsideChanged, 'an element outside changed').toBe('');
  expect(insideCount).toBeGreaterThan(0);
  expect(insideChanged).toBeGreaterThanOrEqual(Math.ceil(0.99 * insideCount));
}

describe('wan fixture models: declared I/O', () => {
  it.each(Object.keys(WAN_FIXTURE_IDS) as WanFixtureId[])('%s declares exactly its contract', async (id) => {
    const s = await session(id);
    const described = (list: WanContract['inputs']) =>
      list.map((t) => ({ name: t.name, type: t.type, shape: [...t.dims] }));
    expect(s.inputs).toEqual(described(CONTRACT_OF[id].inputs));
    expect(s.outputs).toEqual(described(CONTRACT_OF[id].outputs));
  });

  it('builds the same bytes every time (stable checksums for a catalog)', () => {
    for (const part of Object.values(WAN_FIXTURE_IDS)) {
      expect(Buffer.from(buildWanFixture(part)).equals(Buffer.from(buildWanFixture(part))), part).toBe(true);
    }
  });
});

describe('wan fixture text encoders', () => {
  const prompt = [312, 9, 4021, 77, 1500];
  const ids = (tokens: number[]) => int64s([1, 512], [...tokens, ...Array(512 - tokens.length).fill(0)]);
  const mask = (n: number) =>
    int64s(
      [1, 512],
      Array.from({ length: 512 }, (_, i) => (i < n ? 1 : 0)),
    );
  const row = (i: number) => (index: number[]) => index[1] === i;

  it('UMT5 (VACE): a padded id changes only its row, a prompt id or the mask every row', async () => {
    const base = await run('wan2.1_umt5_xxl', { input_ids: ids(prompt), attention_mask: mask(5) });
    const out = base.last_hidden_state;
    expect(out?.dims).toEqual([1, 512, 4096]);
    // Rows past the prompt are not zero: zeroing them is the plugin's job (docs/models/wan.md §3.4).
    expect(
      Math.max(
        ...values(out)
          .subarray(300 * 4096, 301 * 4096)
          .map(Math.abs),
      ),
    ).toBeGreaterThan(0.1);

    const padded = [...prompt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 123];
    const padChanged = await run('wan2.1_umt5_xxl', { input_ids: ids(padded), attention_mask: mask(5) });
    expectChangedExactly(out, padChanged.last_hidden_state, row(15));

    const promptChanged = await run('wan2.1_umt5_xxl', {
      input_ids: ids([312, 9, 4022, 77, 1500]),
      attention_mask: mask(5),
    });
    expectChangedExactly(out, promptChanged.last_hidden_state, () => true);

    const maskChanged = await run('wan2.1_umt5_xxl', { input_ids: ids(prompt), attention_mask: mask(4) });
    expect(maxDiff(out, maskChanged.last_hidden_state)).toBeGreaterThan(1e-3);
  });

  it('UMT5 (VACE): any id works, beyond the 256,384-token vocabulary too', async () => {
    const big = await run('wan2.1_umt5_xxl', { input_ids: ids([300_000, 2 ** 40]), attention_mask: mask(2) });
    const small = await run('wan2.1_umt5_xxl', { input_ids: ids([1, 2]), attention_mask: mask(2) });
    expect(values(big.last_hidden_state).every(Number.isFinite)).toBe(true);
    expect(maxDiff(big.last_hidden_state, small.last_hidden_state)).toBeGreaterThan(0.1);
  });

  it('UMT5 (T2V): any batch and length; an id changes its own batch item only', async () => {
    const one = await run('wan2.1_t2v_umt5_xxl', { input_ids: int64s([1, 7], [5, 6, 7, 8, 9, 10, 1]) });
    expect(one.last_hidden_state?.dims).toEqual([1, 7, 4096]);
    const two = Array.from({ length: 24 }, (_, i) => 100 + i);
    const a = await run('wan2.1_t2v_umt5_xxl', { input_ids: int64s([2, 12], two) });
    expect(a.last_hidden_state?.dims).toEqual([2, 12, 4096]);
    two[15] = 9999; // batch item 1, token 3
    const b = await run('wan2.1_t2v_umt5_xxl', { input_ids: int64s([2, 12], two) });
    expectChangedExactly(a.last_hidden_state, b.last_hidden_state, (index) => index[0] === 1);
  });
});

describe('wan fixture transformers', () => {
  /** VACE DiT feeds for batch B, T latent frames of h×w, the context a scaled pattern. */
  function vaceFeeds(batch: number, frames: number, h: number, w: number, seed = 0) {
    const tokens = (frames * h * w) / 4;
    return {
      latent: floats([batch, 16, frames, h, w], seed),
      timestep: new ort.Tensor(
        'float32',
        Float32Array.from({ length: batch }, (_, b) => 900 - 100 * b),
        [batch],
      ),
      context: floats([batch, 512, 4096], seed + 1, 0.5),
      vace_context: floats([batch, 96, frames, h, w], seed + 2),
      rope_cos: floats([tokens, 64], seed + 3),
      rope_sin: floats([tokens, 64], seed + 4),
    };
  }

  it('VACE: velocity has the latent shape at any size and batch, and every input moves it', async () => {
    for (const [b, t, h, w] of [
      [1, 1, 4, 6],
      [2, 3, 6, 4],
    ] as const) {
      const feeds = vaceFeeds(b, t, h, w);
      const base = await run('wan2.1_vace_1.3b', feeds);
      expect(base.velocity?.dims).toEqual([b, 16, t, h, w]);
      for (const name of Object.keys(feeds) as (keyof typeof feeds)[]) {
        // A timestep moves in whole steps of 1000·Δσ (docs/models/wan.md §7.3): try 20.
        const step = name === 'timestep' ? (v: number) => v + 20 : undefined;
        const changed = await run('wan2.1_vace_1.3b', {
          ...feeds,
          [name]: edited(feeds[name], () => true, step),
        });
        expect(maxDiff(base.velocity, changed.velocity), name).toBeGreaterThan(1e-4);
      }
    }
  });

  it('VACE: velocity = latent − a bounded target (|v − latent| < 1)', async () => {
    const feeds = vaceFeeds(2, 2, 4, 4);
    const v = values((await run('wan2.1_vace_1.3b', feeds)).velocity);
    const x = values(feeds.latent);
    let max = 0;
    for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs((v[i] as number) - (x[i] as number)));
    expect(max).toBeLessThan(1);
    expect(max).toBeGreaterThan(0.05);
  });

  it('VACE: RoPE row j acts on token j = (frame, row, column) of the 2×2 patch grid only', async () => {
    const [t, h, w] = [2, 4, 6];
    const feeds = vaceFeeds(1, t, h, w);
    const base = await run('wan2.1_vace_1.3b', feeds);
    const [f, r, c] = [1, 1, 2]; // token (f·(h/2) + r)·(w/2) + c
    const token = (f * (h / 2) + r) * (w / 2) + c;
    const rope = edited(feeds.rope_sin, (index) => index[0] === token);
    const changed = await run('wan2.1_vace_1.3b', { ...feeds, rope_sin: rope });
    expectChangedExactly(
      base.velocity,
      changed.velocity,
      ([, , ft, y, x]) =>
        ft === f && Math.floor((y as number) / 2) === r && Math.floor((x as number) / 2) === c,
    );
    const wrongLength = { ...feeds, rope_cos: floats([5, 64]), rope_sin: floats([5, 64]) };
    await expect(run('wan2.1_vace_1.3b', wrongLength)).rejects.toThrow(/inference failed/);
  });

  it('VACE: batch items are independent (CFG as batch 2 equals two calls)', async () => {
    const two = vaceFeeds(2, 1, 4, 4);
    const both = values((await run('wan2.1_vace_1.3b', two)).velocity);
    const half = (t: ort.Tensor) => {
      const n = size(t.dims.slice(1));
      return new ort.Tensor('float32', values(t).slice(n, 2 * n), [1, ...t.dims.slice(1)]);
    };
    const second = await run('wan2.1_vace_1.3b', {
      ...two,
      latent: half(two.latent),
      timestep: half(two.timestep),
      context: half(two.context),
      vace_context: half(two.vace_context),
    });
    const alone = values(second.velocity);
    expect(
      maxDiff(
        new ort.Tensor('float32', both.slice(alone.length), [alone.length]),
        new ort.Tensor('float32', alone, [alone.length]),
      ),
    ).toBeLessThan(1e-6);
  });

  it('VACE: 50 Euler steps from σ = 1 to 0 stay bounded and keep the seed', async () => {
    // Each step is x ← (1 − Δσ)·x + Δσ·target with |target| < 1 (docs/models/wan.md §7.5), so
    // |x| can never exceed max(|noise|, 1); two seeds (batch items) must still end apart.
    const one = vaceFeeds(1, 1, 4, 4);
    const twice = (t: ort.Tensor) => {
      const data = new Float32Array(2 * size(t.dims));
      data.set(values(t));
      data.set(values(t), size(t.dims));
      return new ort.Tensor('float32', data, [2, ...t.dims.slice(1)]);
    };
    const conditions = { ...one, context: twice(one.context), vace_context: twice(one.vace_context) };
    let x = Float32Array.from(values(floats([2, 16, 1, 4, 4], 11, 2.5)));
    const steps = 50;
    for (let i = 0; i < steps; i++) {
      const timestep = Math.trunc(1000 * (1 - i / steps));
      const { velocity } = await run('wan2.1_vace_1.3b', {
        ...conditions,
        latent: new ort.Tensor('float32', x, [2, 16, 1, 4, 4]),
        timestep: new ort.Tensor('float32', Float32Array.of(timestep, timestep), [2]),
      });
      const v = values(velocity);
      x = x.map((value, k) => value - (1 / steps) * (v[k] as number));
    }
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(2.5);
    const n = x.length / 2;
    let apart = 0;
    for (let k = 0; k < n; k++) apart = Math.max(apart, Math.abs((x[k] as number) - (x[n + k] as number)));
    expect(apart).toBeGreaterThan(0.1);
  });

  it('T2V: out_sample has the hidden_states shape and every input moves it', async () => {
    for (const [t, h, w, seq] of [
      [1, 4, 6, 5],
      [3, 6, 4, 512],
    ] as const) {
      const feeds = {
        hidden_states: floats([1, 16, t, h, w]),
        timestep: new ort.Tensor('float32', Float32Array.of(750), [1]),
        encoder_hidden_states: floats([1, seq, 4096], 1, 0.5),
      };
      const base = await run('wan2.1_t2v_1.3b', feeds);
      expect(base.out_sample?.dims).toEqual([1, 16, t, h, w]);
      for (const name of Object.keys(feeds) as (keyof typeof feeds)[]) {
        const changed = await run('wan2.1_t2v_1.3b', { ...feeds, [name]: edited(feeds[name], () => true) });
        expect(maxDiff(base.out_sample, changed.out_sample), name).toBeGreaterThan(1e-4);
      }
    }
  });
});

describe('wan fixture VAE encoder', () => {
  it('compresses (4, 8, 8): F = 4k + 1 frames of H×W → (F − 1)/4 + 1 latent frames of H/8×W/8', async () => {
    for (const [f, h, w] of [
      [1, 16, 16],
      [5, 32, 48],
      [9, 48, 32],
    ] as const) {
      const { latent } = await run('wan2.1_vae_encoder', { video: floats([1, 3, f, h, w]) });
      expect(latent?.dims).toEqual([1, 16, (f - 1) / 4 + 1, h / 8, w / 8]);
    }
  });

  it('is causal and local: pixel frame 0 → latent frame 0, frames 4k−3…4k → latent frame k', async () => {
    const video = floats([1, 3, 9, 32, 48]);
    const base = await run('wan2.1_vae_encoder', { video });
    for (const [frame, latentFrame] of [
      [0, 0],
      [1, 1],
      [4, 1],
      [5, 2],
      [8, 2],
    ]) {
      const pixel = edited(video, ([, c, f, y, x]) => c === 1 && f === frame && y === 9 && x === 17);
      const changed = await run('wan2.1_vae_encoder', { video: pixel });
      expectChangedExactly(
        base.latent,
        changed.latent,
        ([, , t, y, x]) => t === latentFrame && y === 1 && x === 2,
      );
    }
  });
});

describe('wan fixture VAE decoders (VACE: first chunk + steady state)', () => {
  it('first chunk: one pixel frame at ×8 and 32 caches [zeros, frame] at the §6.5 resolutions', async () => {
    const channels: number[] = [];
    for (const [h, w] of [
      [4, 6],
      [6, 4],
    ] as const) {
      const latent = floats([1, 16, 1, h, w], 1, 3);
      const out = await run('wan2.1_vae_decoder_first', { latent });
      expect(out.frames?.dims).toEqual([1, 3, 1, 8 * h, 8 * w]);
      expect(values(out.frames).every((v) => v > -1 && v < 1)).toBe(true);
      const moved = await run('wan2.1_vae_decoder_first', { latent: edited(latent, () => true) });
      expect(maxDiff(out.frames, moved.frames)).toBeGreaterThan(1e-4);
      for (let i = 0; i < 32; i++) {
        const cache = out[`cache_out_${i}`] as ort.Tensor;
        const s = cacheScale(i);
        expect(cache.dims, `cache_out_${i}`).toEqual([1, cache.dims[1], 2, h * s, w * s]);
        if (h === 4) channels.push(cache.dims[1] as number);
        else expect(cache.dims[1], `cache_out_${i} channels`).toBe(channels[i]);
        const perFrame = size(cache.dims.slice(3));
        const stillZero = (v: number, k: number) => Math.floor(k / perFrame) % 2 === 1 || v === 0;
        expect(values(cache).every(stillZero), `cache_out_${i} frame 0 is zeros`).toBe(true);
        expect(maxDiff(cache, moved[`cache_out_${i}`]), `cache_out_${i}`).toBeGreaterThan(1e-4);
      }
    }
    expect(channels[0]).toBe(16); // slot 0 caches the decoder's input latent (§6.5)
  });

  /** Steady-state feeds: a latent and the caches the first chunk left. */
  async function steadyFeeds(h: number, w: number) {
    const first = await run('wan2.1_vae_decoder_first', { latent: floats([1, 16, 1, h, w], 1, 3) });
    const feeds: Record<string, ort.Tensor> = { latent: floats([1, 16, 1, h, w], 2, 3) };
    for (let i = 0; i < 32; i++) feeds[`cache_${i}`] = first[`cache_out_${i}`] as ort.Tensor;
    return feeds;
  }

  it('steady state: four pixel frames, caches out shaped like caches in, each carrying its last frame', async () => {
    for (const [h, w] of [
      [4, 6],
      [6, 4],
    ] as const) {
      const feeds = await steadyFeeds(h, w);
      const out = await run('wan2.1_vae_decoder', feeds);
      expect(out.frames?.dims).toEqual([1, 3, 4, 8 * h, 8 * w]);
      expect(values(out.frames).every((v) => v > -1 && v < 1)).toBe(true);
      for (let i = 0; i < 32; i++) {
        const cacheIn = feeds[`cache_${i}`] as ort.Tensor;
        const cacheOut = out[`cache_out_${i}`] as ort.Tensor;
        expect(cacheOut.dims).toEqual(cacheIn.dims);
        const n = size(cacheIn.dims.slice(3));
        const c = cacheIn.dims[1] as number;
        for (let ch = 0; ch < c; ch++) {
          const last = values(cacheIn).subarray((2 * ch + 1) * n, (2 * ch + 2) * n);
          const carried = values(cacheOut).subarray(2 * ch * n, (2 * ch + 1) * n);
          expect(
            Buffer.from(carried.buffer, carried.byteOffset, carried.byteLength).equals(
              Buffer.from(last.buffer, last.byteOffset, last.byteLength),
            ),
            `cache_out_${i} channel ${ch}`,
          ).toBe(true);
        }
      }
    }
  });

  it('steady state: the frames depend on the latent and on every cache (a swap shows too)', async () => {
    const feeds = await steadyFeeds(4, 6);
    const base = await run('wan2.1_vae_decoder', feeds);
    const latentMoved = await run('wan2.1_vae_decoder', {
      ...feeds,
      latent: edited(feeds.latent as ort.Tensor, () => true),
    });
    expect(maxDiff(base.frames, latentMoved.frames)).toBeGreaterThan(1e-4);
    for (let i = 0; i < 32; i++) {
      const name = `cache_${i}`;
      const moved = await run('wan2.1_vae_decoder', {
        ...feeds,
        [name]: edited(feeds[name] as ort.Tensor, () => true),
      });
      expect(maxDiff(base.frames, moved.frames), name).toBeGreaterThan(1e-4);
    }
    // Slots 1 and 5 have the same shape: passing them swapped must not go unnoticed.
    const swapped = await run('wan2.1_vae_decoder', {
      ...feeds,
      cache_1: feeds.cache_5 as ort.Tensor,
      cache_5: feeds.cache_1 as ort.Tensor,
    });
    expect(maxDiff(base.frames, swapped.frames)).toBeGreaterThan(1e-4);
  });

  it('steady state: a cache at the wrong resolution is rejected', async () => {
    const feeds = await steadyFeeds(4, 6);
    const wrong = { ...feeds, cache_12: feeds.cache_11 as ort.Tensor }; // slot 12 is at ×2
    await expect(run('wan2.1_vae_decoder', wrong)).rejects.toThrow(/inference failed/);
  });
});

describe('wan fixture VAE decoder (T2V, whole clip)', () => {
  it('decodes T latent frames to 1 + 4(T − 1): latent 0 → pixel 0, latent k → pixels 4k−3…4k', async () => {
    for (const [t, h, w] of [
      [2, 4, 6],
      [3, 6, 4],
    ] as const) {
      const latent = floats([1, 16, t, h, w], 0, 3);
      const base = await run('wan2.1_t2v_vae_decoder', { latent_sample: latent });
      expect(base.sample?.dims).toEqual([1, 3, 1 + 4 * (t - 1), 8 * h, 8 * w]);
      expect(values(base.sample).every((v) => v > -1 && v < 1)).toBe(true);
      for (let k = 0; k < t; k++) {
        const moved = await run('wan2.1_t2v_vae_decoder', {
          latent_sample: edited(latent, (i) => i[2] === k),
        });
        const first = k === 0 ? 0 : 4 * k - 3;
        expectChangedExactly(
          base.sample,
          moved.sample,
          ([, , f]) => (f as number) >= first && (f as number) <= 4 * k,
        );
      }
    }
  });
});

describe('wan fixture files', () => {
  it('writes every fixture, and installs catalog ids into a model store that verifies them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wan-fixtures-'));
    try {
      const files = await writeWanFixtureModels(path.join(dir, 'plain'));
      expect(Object.keys(files).sort()).toEqual(Object.keys(WAN_FIXTURE_IDS).sort());
      const bytes = await readFile(files['wan2.1_vae_encoder'] as string);
      expect(bytes.equals(Buffer.from(buildWanFixture('vace.vaeEncoder')))).toBe(true);

      // The ids the catalog has entries for (the original four VACE parts at least).
      const catalogIds = new Set(modelCatalog().map((e) => e.id));
      const ids = (Object.keys(WAN_FIXTURE_IDS) as WanFixtureId[]).filter((id) => catalogIds.has(id));
      expect(ids).toEqual(
        expect.arrayContaining([
          'wan2.1_vace_1.3b',
          'wan2.1_umt5_xxl',
          'wan2.1_vae_encoder',
          'wan2.1_vae_decoder',
        ]),
      );
      const { catalogFile } = await installWanFixtureModels(path.join(dir, 'store'), ids);
      const store = new ModelStore(path.join(dir, 'store'), modelCatalog(catalogFile));
      for (const id of ids) {
        const [result] = await store.verify(id);
        expect(result?.state, id).toBe('ok');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
