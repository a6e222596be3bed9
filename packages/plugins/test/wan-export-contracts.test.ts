// tools/export-wan/contracts.json is what the Python exporter reads for the graphs' names, types and
// sizes; it must say what packages/plugins/src/wan/contracts.ts says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACTS_JSON, contractsJson } from '../../../tools/export-wan/write-contracts.ts';
import { WAN_MODEL_IDS } from '../src/wan/model-ids.ts';

const REGENERATE =
  'out of date: run `pnpm --filter @visage/scripts exec tsx ../tools/export-wan/write-contracts.ts`';

describe('tools/export-wan/contracts.json', () => {
  const file = JSON.parse(readFileSync(CONTRACTS_JSON, 'utf8'));

  it('should equal what write-contracts.ts generates from contracts.ts and model-ids.ts', () => {
    expect(file, REGENERATE).toEqual(JSON.parse(contractsJson()));
  });

  it('should give each VACE part its catalog id and the decoder its 32 caches in and out', () => {
    const ids = Object.fromEntries(
      Object.entries(file.parts).map(([part, p]) => [part, (p as { id: string }).id]),
    );
    expect(ids).toEqual(WAN_MODEL_IDS);
    const names = (list: { name: string }[]) => list.map((t) => t.name);
    const caches = (prefix: string) => Array.from({ length: 32 }, (_, i) => `${prefix}${i}`);
    expect(names(file.parts.vaeDecoder.inputs)).toEqual(['latent', ...caches('cache_')]);
    expect(names(file.parts.vaeDecoder.outputs)).toEqual(['frames', ...caches('cache_out_')]);
    expect(file.parts.transformer.inputs[4]).toEqual({
      name: 'rope_cos',
      type: 'float32',
      dims: ['tokens', 64],
    });
  });
});
