// checkContract against sessions of fixture models: a match passes; a wrong input or output name, an
// element type, a fixed dimension or a rank is named in the message; symbolic dimensions match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureModel, type TensorSignature } from '../src/onnx/fixture.ts';
import { ContractError, checkContract, type SessionContract } from '../src/session/contract.ts';
import { createSession, type ModelSession } from '../src/session/session.ts';

const log = { warn: () => undefined, debug: () => undefined };

// Shaped like the Wan transformer's contract (docs/models/wan.md §9.3), scaled down.
const CONTRACT: SessionContract = {
  inputs: [
    { name: 'latent', type: 'float32', dims: ['batch', 4, 'frames', 6, 8] },
    { name: 'timestep', type: 'float32', dims: ['batch'] },
    { name: 'context', type: 'float32', dims: ['batch', 5, 16] },
  ],
  outputs: [{ name: 'velocity', type: 'float32', dims: ['batch', 4, 'frames', 6, 8] }],
};

async function sessionOf(inputs: TensorSignature[], outputs: TensorSignature[]): Promise<ModelSession> {
  const model = buildFixtureModel({
    inputs,
    outputs: outputs.map((o) => ({ ...o, shape: o.dims.map((d) => (typeof d === 'number' ? d : 1)) })),
  });
  return createSession(model, { id: 'dit', providers: ['cpu'], log });
}

const matching = {
  inputs: [
    { name: 'latent', dims: ['batch', 4, 'frames', 6, 8] },
    { name: 'timestep', dims: [1] }, // fixed where the contract is symbolic: fine
    { name: 'context', dims: ['batch', 5, 16] },
  ],
  outputs: [
    { name: 'velocity', dims: ['batch', 4, 'frames', 6, 8] },
    { name: 'extra', dims: [1] }, // an output the contract does not read: fine
  ],
} satisfies { inputs: TensorSignature[]; outputs: TensorSignature[] };

const sessions: ModelSession[] = [];
async function check(inputs: TensorSignature[], outputs: TensorSignature[] = matching.outputs) {
  const session = await sessionOf(inputs, outputs);
  sessions.push(session);
  return () => checkContract(session, CONTRACT);
}
afterAll(() => Promise.all(sessions.map((s) => s.release())));

describe(checkContract.name, () => {
  let base: ModelSession;
  beforeAll(async () => {
    base = await sessionOf(matching.inputs, matching.outputs);
    sessions.push(base);
  });

  it('should pass a session that matches, symbolic dims matching fixed ones', () => {
    expect(base.inputs[0]?.shape).toEqual(['batch', 4, 'frames', 6, 8]); // as onnxruntime reports them
    expect(() => checkContract(base, CONTRACT)).not.toThrow();
  });

  it('should name a fixed dimension that differs, with both shapes', async () => {
    const inputs = matching.inputs.map((i) => (i.name === 'context' ? { ...i, dims: [1, 5, 12] } : i));
    expect(await check(inputs)).toThrow(
      new ContractError("dit: input 'context' has shape [1,5,12], expected [batch,5,16]"),
    );
  });

  it('should accept a symbolic model dimension where the contract fixes one', async () => {
    const inputs = matching.inputs.map((i) =>
      i.name === 'context' ? { ...i, dims: ['batch', 'tokens', 16] } : i,
    );
    expect(await check(inputs)).not.toThrow();
  });

  it('should name a rank that differs', async () => {
    const inputs = matching.inputs.map((i) => (i.name === 'timestep' ? { ...i, dims: [1, 1] } : i));
    expect(await check(inputs)).toThrow("dit: input 'timestep' has shape [1,1], expected [batch]");
  });

  it('should name an element type that differs', async () => {
    const inputs = matching.inputs.map((i) =>
      i.name === 'timestep' ? { ...i, type: 'int64' as const, dims: ['batch'] } : i,
    );
    expect(await check(inputs)).toThrow("dit: input 'timestep' is int64, expected float32");
  });

  it('should name a missing and an unexpected input', async () => {
    const inputs = matching.inputs.map((i) =>
      i.name === 'context' ? { ...i, name: 'encoder_hidden_states' } : i,
    );
    expect(await check(inputs)).toThrow(
      "dit: it has no input 'context' (it takes latent, timestep, encoder_hidden_states); " +
        "it takes input 'encoder_hidden_states', which is not fed (expected latent, timestep, context)",
    );
  });

  it('should name a missing output and every other problem at once', async () => {
    const inputs = matching.inputs.map((i) =>
      i.name === 'latent' ? { ...i, dims: ['batch', 3, 'frames', 6, 8] } : i,
    );
    expect(await check(inputs, [{ name: 'out_sample', dims: [1, 4, 1, 6, 8] }])).toThrow(
      "dit: input 'latent' has shape [batch,3,frames,6,8], expected [batch,4,frames,6,8]; " +
        "it has no output 'velocity' (it gives out_sample)",
    );
  });
});
