// Prompt → context (docs/models/wan.md §3.4) on the fixture encoders: rows past the prompt are zero;
// the VACE set's encoder gets 512 tokens and the mask; TensorStack's maskless encoder gets only the
// real tokens, so the padding cannot leak into the prompt's rows.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSession, type ModelSession, ort } from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UMT5_TINY_TOKENIZER, writeWanFixtureModels } from '../src/testing/index.ts';
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS } from '../src/wan/model-ids.ts';
import { encodePrompt } from '../src/wan/text.ts';
import { loadUmt5Tokenizer } from '../src/wan/tokenizer.ts';
import { quiet } from './support/faceswap.ts';

const DIM = 4096;
let dir: string;
let vace: ModelSession;
let t2v: ModelSession;
const tokenizer = await loadUmt5Tokenizer(UMT5_TINY_TOKENIZER);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-wan-text-'));
  const files = await writeWanFixtureModels(dir, [WAN_MODEL_IDS.textEncoder, WAN_T2V_MODEL_IDS.textEncoder]);
  const open = (id: string) => createSession(files[id] as string, { id, providers: ['cpu'], log: quiet });
  [vace, t2v] = await Promise.all([open(WAN_MODEL_IDS.textEncoder), open(WAN_T2V_MODEL_IDS.textEncoder)]);
});

afterAll(async () => {
  await Promise.all([vace?.release(), t2v?.release()]);
  await rm(dir, { recursive: true, force: true });
});

const rowsAfter = (context: Float32Array, from: number) => context.subarray(from * DIM);
/** The first index where `a` and `b` differ, or −1 (a readable failure for 32 768 values). */
const firstDifference = (a: Float32Array, b: Float32Array) =>
  a.length !== b.length ? 0 : a.findIndex((v, i) => v !== b[i]);

describe('encodePrompt', () => {
  it('should run the masked encoder on 512 tokens and zero the rows past the prompt', async () => {
    const { context, tokens } = await encodePrompt(vace, tokenizer, 'a cat sits on the mat.');
    expect(tokens).toBe(8);
    expect(context).toHaveLength(512 * DIM);
    const direct = await vace.run({
      input_ids: new ort.Tensor('int64', tokenizer.encodeForWan('a cat sits on the mat.').inputIds, [1, 512]),
      attention_mask: new ort.Tensor(
        'int64',
        tokenizer.encodeForWan('a cat sits on the mat.').attentionMask,
        [1, 512],
      ),
    });
    const raw = (direct.last_hidden_state as ort.Tensor).data as Float32Array;
    expect(raw.subarray(8 * DIM).some((v) => v !== 0)).toBe(true); // the fixture does not zero them
    expect(firstDifference(context.subarray(0, 8 * DIM), raw.subarray(0, 8 * DIM))).toBe(-1);
    expect(rowsAfter(context, 8).every((v) => v === 0)).toBe(true);
  });

  it('should give the maskless encoder only the real tokens, as a masked run would see them', async () => {
    const { inputIds } = tokenizer.encodeForWan('a cat sits on the mat.');
    const { context } = await encodePrompt(t2v, tokenizer, 'a cat sits on the mat.');
    const real = await t2v.run({ input_ids: new ort.Tensor('int64', inputIds.slice(0, 8), [1, 8]) });
    const padded = await t2v.run({ input_ids: new ort.Tensor('int64', inputIds, [1, 512]) });
    const realRows = ((real.last_hidden_state as ort.Tensor).data as Float32Array).subarray(0, 8 * DIM);
    const paddedRows = ((padded.last_hidden_state as ort.Tensor).data as Float32Array).subarray(0, 8 * DIM);
    expect(firstDifference(realRows, paddedRows)).not.toBe(-1); // the padding would leak into the prompt rows
    expect(firstDifference(context.subarray(0, 8 * DIM), realRows)).toBe(-1);
    expect(rowsAfter(context, 8).every((v) => v === 0)).toBe(true);
  });
});
