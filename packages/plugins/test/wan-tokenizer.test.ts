// UMT5 tokenisation for Wan (docs/models/wan.md §3.3–3.4) on a 26-piece tokenizer.json laid out like
// google/umt5-xxl's (src/testing/fixtures/umt5-tiny/make-tokenizer.mjs writes it). Expected ids are worked out
// by hand from that vocabulary: Unigram keeps the segmentation with the highest total score.
import { readFileSync } from 'node:fs';
import { modelEntrySchema } from '@visage/inference/models';
import { describe, expect, it } from 'vitest';
import { UMT5_TINY_TOKENIZER } from '../src/testing/index.ts';
import { cleanPrompt } from '../src/wan/prompt.ts';
import {
  loadUmt5Tokenizer,
  PromptTooLongError,
  TokenizerFileError,
  Umt5Tokenizer,
  zeroPaddedRows,
} from '../src/wan/tokenizer.ts';
import { WAN_TOKENIZER_MODEL } from '../src/wan/tokenizer-model.ts';

const FIXTURE = UMT5_TINY_TOKENIZER;
const fixtureJson = () => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const tokenizer = await loadUmt5Tokenizer(FIXTURE);

// Ids of the fixture's pieces.
const [PAD, EOS, UNK, SPACE, A, CAT, CA, TS] = [0, 1, 2, 3, 4, 5, 6, 7];
const [SITS, ON, THE, MAT, DOT, COMMA, MAO, SEDIAO] = [9, 10, 11, 12, 13, 14, 15, 16];
const CAT_BYTES = [20, 21, 22, 23]; // <0xF0> <0x9F> <0x90> <0xB1>: 🐱 in UTF-8
const EXTRA_ID_0 = 25;
const realIds = (tokens: { inputIds: BigInt64Array; length: number }) =>
  [...tokens.inputIds.subarray(0, tokens.length)].map(Number);

describe('Umt5Tokenizer.encodeForWan', () => {
  it('gives the ids of the best segmentation, then </s>, padded with 0 to 512, and the mask', () => {
    // "▁a▁cat▁sits▁on▁the▁mat.": every word is one piece; "▁ca"+"t" (-11) loses to "▁cat" (-4).
    const tokens = tokenizer.encodeForWan('a cat sits on the mat.');
    const expected = [A, CAT, SITS, ON, THE, MAT, DOT, EOS];
    expect(tokens.length).toBe(8);
    expect(tokens.inputIds).toBeInstanceOf(BigInt64Array);
    expect(tokens.inputIds).toHaveLength(512);
    expect(tokens.attentionMask).toHaveLength(512);
    expect(realIds(tokens)).toEqual(expected);
    expect(tokens.inputIds.subarray(8).every((id) => id === BigInt(PAD))).toBe(true);
    expect([...tokens.attentionMask.subarray(0, 8)]).toEqual(Array(8).fill(1n));
    expect(tokens.attentionMask.subarray(8).every((m) => m === 0n)).toBe(true);
  });

  it('picks segmentations by total score, not greedily', () => {
    // "▁cats": "▁ca"+"ts" = -6 - 1 = -7 beats "▁cat"+"s" = -4 - 4 = -8.
    expect(tokenizer.tokenIds('cats')).toEqual([CA, TS, EOS]);
  });

  it('tokenises the cleaned prompt, as Wan does', () => {
    // "，" becomes "," (§3.2); "色调" (-7) beats "色"+"调" (-18).
    expect(realIds(tokenizer.encodeForWan(cleanPrompt('  猫，色调 ')))).toEqual([MAO, COMMA, SEDIAO, EOS]);
    // "&amp;lt;" is "<" once cleaned, one <unk>; raw, its letters "t" would be pieces of their own.
    expect(realIds(tokenizer.encodeForWan(cleanPrompt('a  cat&amp;lt;')))).toEqual([A, CAT, UNK, EOS]);
  });

  it('tokenises the empty prompt as </s> alone, L = 1 (docs §3.3)', () => {
    const tokens = tokenizer.encodeForWan('');
    expect(tokens.length).toBe(1);
    expect(tokens.inputIds[0]).toBe(BigInt(EOS));
    expect(tokens.attentionMask[0]).toBe(1n);
    expect(tokens.attentionMask[1]).toBe(0n);
  });

  it('keeps special tokens written in the prompt', () => {
    expect(tokenizer.tokenIds('<extra_id_0> a')).toEqual([EXTRA_ID_0, A, EOS]);
  });

  it('accepts 511 tokens plus </s> and refuses 512 plus </s>, giving the count and the limit', () => {
    const words = (n: number) => Array(n).fill('a').join(' ');
    expect(tokenizer.encodeForWan(words(511)).length).toBe(512);
    let error: unknown;
    try {
      tokenizer.encodeForWan(words(512));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect(error).toMatchObject({ tokenCount: 513, limit: 512 });
    expect((error as Error).message).toMatch(/513 tokens.*at most 512/);
  });
});

describe('unknown characters', () => {
  it('become one <unk> for a run of them, without byte fallback', () => {
    expect(tokenizer.tokenIds('a 🐱')).toEqual([A, SPACE, UNK, EOS]);
    expect(tokenizer.tokenIds('✓✓')).toEqual([SPACE, UNK, EOS]);
  });

  it('become their UTF-8 byte pieces when the file asks for byte fallback and has them all', () => {
    const json = fixtureJson();
    json.model.byte_fallback = true;
    const fallback = Umt5Tokenizer.fromJson(json);
    expect(fallback.tokenIds('a 🐱')).toEqual([A, SPACE, ...CAT_BYTES, EOS]);
    // ✓ is E2 9C 93: no byte pieces for it, so <unk>.
    expect(fallback.tokenIds('✓✓')).toEqual([SPACE, UNK, EOS]);
  });
});

describe('tokenizer.json layouts', () => {
  it('gives the same ids with the newer Metaspace form (prepend_scheme, split)', () => {
    const json = fixtureJson();
    const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
    json.pre_tokenizer = metaspace;
    json.decoder = metaspace;
    const newer = Umt5Tokenizer.fromJson(json);
    expect(newer.tokenIds('a cat sits on the mat.')).toEqual([A, CAT, SITS, ON, THE, MAT, DOT, EOS]);
  });

  it('refuses a file that is not a UMT5 Unigram tokenizer', () => {
    const bpe = fixtureJson();
    bpe.model.type = 'BPE';
    expect(() => Umt5Tokenizer.fromJson(bpe)).toThrow(TokenizerFileError);
    const shuffled = fixtureJson();
    shuffled.model.vocab.reverse();
    expect(() => Umt5Tokenizer.fromJson(shuffled)).toThrow(/ids 0, 1, 2 must be <pad>, <\/s>, <unk>/);
    const noEos = fixtureJson();
    noEos.post_processor = null;
    expect(() => Umt5Tokenizer.fromJson(noEos)).toThrow(/does not append <\/s>/);
  });

  it('names the file it cannot read', async () => {
    await expect(loadUmt5Tokenizer('/nonexistent/tokenizer.json')).rejects.toThrow(
      /Cannot read the UMT5 tokenizer \/nonexistent\/tokenizer.json/,
    );
  });
});

describe('zeroPaddedRows', () => {
  it('zeroes the rows at and after the length, in place, and keeps the others', () => {
    const dim = 4;
    const hidden = Float32Array.from({ length: 3 * dim }, (_, i) => i + 1);
    const out = zeroPaddedRows(hidden, 2, dim);
    expect(out).toBe(hidden);
    expect([...hidden]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
  });

  it('uses rows of 4096 by default (the 512 × 4096 encoder output)', () => {
    const hidden = new Float32Array(512 * 4096).fill(0.5);
    zeroPaddedRows(hidden, 8);
    expect(hidden[8 * 4096 - 1]).toBe(0.5);
    expect(hidden[8 * 4096]).toBe(0);
    expect(hidden.subarray(8 * 4096).every((v) => v === 0)).toBe(true);
    expect(hidden.subarray(0, 8 * 4096).every((v) => v === 0.5)).toBe(true);
  });

  it('leaves a full-length output alone and refuses impossible lengths or shapes', () => {
    const hidden = new Float32Array(6).fill(1);
    zeroPaddedRows(hidden, 3, 2);
    expect([...hidden]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => zeroPaddedRows(hidden, 0, 2)).toThrow(RangeError);
    expect(() => zeroPaddedRows(hidden, 4, 2)).toThrow(RangeError);
    expect(() => zeroPaddedRows(hidden, 1, 4)).toThrow(/not a whole number of rows/);
  });
});

describe('WAN_TOKENIZER_MODEL', () => {
  it('is a valid catalog entry downloading google/umt5-xxl’s tokenizer.json', () => {
    const entry = modelEntrySchema.parse(WAN_TOKENIZER_MODEL);
    expect(entry.urls).toEqual(['https://huggingface.co/google/umt5-xxl/resolve/main/tokenizer.json']);
    expect(entry.id).toBe('umt5_xxl_tokenizer');
    expect(entry.file).toBe('tokenizer.json');
    expect(entry.availability).toBe('download');
  });
});
