// UMT5-XXL tokenisation as Wan does it (docs/models/wan.md §3.3–3.4): the prompt cleaned by prompt.ts,
// `</s>` appended, padded with `<pad>` to 512, and the zeroing of the encoder's padded rows. The
// tokenizer.json is google/umt5-xxl's (a SentencePiece Unigram model), read by @huggingface/tokenizers.
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';

/** Wan's `text_len`: the encoder always sees 512 positions (docs/models/wan.md §3.3). */
export const WAN_TEXT_LEN = 512;
/** UMT5-XXL d_model: the width of one encoder output row (docs/models/wan.md §3.1). */
export const UMT5_DIM = 4096;
export const UMT5_PAD_ID = 0;
export const UMT5_EOS_ID = 1;
export const UMT5_UNK_ID = 2;

/** Wan truncates a long prompt silently; Visage refuses it so the user knows the end was cut. */
export class PromptTooLongError extends Error {
  override readonly name = 'PromptTooLongError';
  constructor(
    readonly tokenCount: number,
    readonly limit: number,
  ) {
    super(
      `The prompt is ${tokenCount} tokens long (with the end-of-text token); the UMT5 text encoder takes at ` +
        `most ${limit}. Shorten it by ${tokenCount - limit} token${tokenCount - limit === 1 ? '' : 's'}.`,
    );
  }
}

export class TokenizerFileError extends Error {
  override readonly name = 'TokenizerFileError';
}

/** What the text encoder session takes: int64 ids and mask of length 512, and the real length L. */
export interface WanTokens {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Tokens including `</s>`; rows ≥ length of the encoder output are zeroed (`zeroPaddedRows`). */
  length: number;
}

interface TokenizerJson {
  model?: { type?: string; unk_id?: number; byte_fallback?: boolean; vocab?: [string, number][] };
}

const utf8 = new TextEncoder();

export class Umt5Tokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly byteFallback: boolean,
  ) {}

  /** From the parsed tokenizer.json; checks it is a UMT5/T5 Unigram file (`<pad>`, `</s>`, `<unk>` = 0, 1, 2). */
  static fromJson(json: unknown, source = 'tokenizer.json'): Umt5Tokenizer {
    const model = (json as TokenizerJson | null)?.model;
    const vocab = model?.vocab;
    if (model?.type !== 'Unigram' || !Array.isArray(vocab)) {
      throw new TokenizerFileError(
        `${source} is not a SentencePiece Unigram tokenizer (model.type "Unigram")`,
      );
    }
    const specials = vocab.slice(0, 3).map((piece) => piece[0]);
    if (specials.join() !== '<pad>,</s>,<unk>' || model.unk_id !== UMT5_UNK_ID) {
      throw new TokenizerFileError(
        `${source} is not a UMT5 tokenizer: ids 0, 1, 2 must be <pad>, </s>, <unk> (found ${specials.join(', ')})`,
      );
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json as object, {});
    } catch (error) {
      throw new TokenizerFileError(`${source} could not be read: ${(error as Error).message}`);
    }
    const umt5 = new Umt5Tokenizer(tokenizer, model.byte_fallback === true);
    const empty = umt5.tokenIds('');
    if (empty.length !== 1 || empty[0] !== UMT5_EOS_ID) {
      throw new TokenizerFileError(`${source} does not append </s> (id 1): "" gives [${empty.join(', ')}]`);
    }
    return umt5;
  }

  /**
   * Ids of already-cleaned text with `</s>` appended, no padding. A piece missing from the vocabulary
   * becomes its UTF-8 byte pieces `<0xNN>` when the file asks for byte fallback and has them all, else
   * `<unk>` (the Rust tokenizers' Unigram rule; @huggingface/tokenizers itself has no byte fallback).
   */
  tokenIds(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.tokenizer.tokenize(text, { add_special_tokens: true })) {
      const id = this.tokenizer.token_to_id(piece);
      if (id !== undefined) ids.push(id);
      else ids.push(...(this.bytePieces(piece) ?? [UMT5_UNK_ID]));
    }
    return ids;
  }

  private bytePieces(piece: string): number[] | null {
    if (!this.byteFallback) return null;
    const ids: number[] = [];
    for (const byte of utf8.encode(piece)) {
      const id = this.tokenizer.token_to_id(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
      if (id === undefined) return null;
      ids.push(id);
    }
    return ids;
  }

  /**
   * A prompt as Wan's text encoder takes it: `text` must already be cleaned (`cleanPrompt`, §3.2; cleaning
   * twice is not the same as once); tokenised, `</s>` appended, padded with 0 to 512; the mask is 1 on the
   * real tokens. Throws PromptTooLongError past 512 tokens.
   */
  encodeForWan(text: string): WanTokens {
    const ids = this.tokenIds(text);
    if (ids.length > WAN_TEXT_LEN) throw new PromptTooLongError(ids.length, WAN_TEXT_LEN);
    const inputIds = new BigInt64Array(WAN_TEXT_LEN); // zero-filled: <pad> is id 0
    const attentionMask = new BigInt64Array(WAN_TEXT_LEN);
    for (let i = 0; i < ids.length; i++) {
      inputIds[i] = BigInt(ids[i] as number);
      attentionMask[i] = 1n;
    }
    return { inputIds, attentionMask, length: ids.length };
  }
}

/** Reads a tokenizer.json file (google/umt5-xxl's, docs/models/wan.md §3.3). */
export async function loadUmt5Tokenizer(file: string): Promise<Umt5Tokenizer> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TokenizerFileError(`Cannot read the UMT5 tokenizer ${file}: ${(error as Error).message}`);
  }
  return Umt5Tokenizer.fromJson(json, file);
}

/**
 * Zeroes, in place, the rows ≥ `length` of the encoder output [rows, dim] (row-major): Wan's DiT sees
 * zeros after the prompt, not the encoder's values for the padding (docs/models/wan.md §3.4).
 */
export function zeroPaddedRows(hidden: Float32Array, length: number, dim = UMT5_DIM): Float32Array {
  const rows = hidden.length / dim;
  if (!Number.isInteger(rows)) {
    throw new RangeError(`Encoder output of ${hidden.length} values is not a whole number of rows of ${dim}`);
  }
  if (!Number.isInteger(length) || length < 1 || length > rows) {
    throw new RangeError(`Prompt length ${length} must be an integer from 1 to the ${rows} rows`);
  }
  return hidden.fill(0, length * dim);
}
