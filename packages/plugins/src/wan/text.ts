// Prompt → context [1, 512, 4096] (docs/models/wan.md §3): clean, tokenise to 512 with EOS and
// padding, run UMT5 (with the attention mask, or on the real tokens only when the export has no
// mask input), zero the padded rows.
import { type ModelSession, ort } from '@visage/inference';
import { TEXT_DIM, TEXT_TOKENS } from './contracts.ts';
import { cleanPrompt } from './prompt.ts';
import { type Umt5Tokenizer, zeroPaddedRows } from './tokenizer.ts';

export interface EncodedPrompt {
  /** [512 × 4096], rows past the prompt zeroed. */
  context: Float32Array;
  /** Tokens including EOS. */
  tokens: number;
}

export async function encodePrompt(
  session: ModelSession,
  tokenizer: Umt5Tokenizer,
  text: string,
): Promise<EncodedPrompt> {
  const { inputIds, attentionMask, length } = tokenizer.encodeForWan(cleanPrompt(text));
  // With the mask the export sees 512 tokens; TensorStack's T2V export has no mask input, so it gets
  // only the real tokens, which gives the masked result exactly (docs/models/wan.md §3.4).
  const masked = session.inputs.some((i) => i.name === 'attention_mask');
  const tokens = masked ? TEXT_TOKENS : length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', masked ? inputIds : inputIds.slice(0, length), [1, tokens]),
  };
  if (masked) feeds.attention_mask = new ort.Tensor('int64', attentionMask, [1, TEXT_TOKENS]);
  const out = await session.run(feeds);
  const hidden = out.last_hidden_state;
  if (hidden?.dims.join() !== [1, tokens, TEXT_DIM].join()) {
    throw new Error(
      `${session.id}: last_hidden_state has shape [${hidden?.dims.join(', ')}], expected [1, ${tokens}, ${TEXT_DIM}]`,
    );
  }
  // A copy into 512 rows (the session's buffer is not ours to keep); rows past the prompt become zero.
  const context = new Float32Array(TEXT_TOKENS * TEXT_DIM);
  context.set((hidden.data as Float32Array).subarray(0, tokens * TEXT_DIM));
  zeroPaddedRows(context, length, TEXT_DIM);
  return { context, tokens: length };
}
