// tools/export-wan, the Python exporter of the Wan 2.1 VACE parts: its unit tests, then the graphs it
// writes for tiny random-weight stand-ins (tools/export-wan/tests/export_tiny.py) run in
// onnxruntime-node on the CPU with the contract's inputs (com.microsoft.MultiHeadAttention included)
// and compared with the stand-ins' own PyTorch outputs (complex-number RoPE, plain attention, the VAE
// run chunk by chunk with Python caches), at sizes and batch other than the traced ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSession, type ModelSession, ort } from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheIn, cacheOut, DECODER_CACHES, VACE_CONTRACTS, type WanContract } from '../src/wan/contracts.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TOOL = path.join(ROOT, 'tools/export-wan');
const quiet = { warn: () => undefined, debug: () => undefined };

const MISSING_PYTHON =
  'The Wan export tests need Python 3 with PyTorch and the onnx package. Debian/Ubuntu: ' +
  'sudo apt-get install python3-torch python3-onnx (npm test installs them: scripts/setup.sh --for-tests); ' +
  'macOS: pip3 install torch onnx. Or set VISAGE_PYTHON to a python that has both.';

/** The first of VISAGE_PYTHON, python3, /usr/bin/python3 that imports torch and onnx (pyenv's python3 may not see Debian's packages). */
function findPython(): string {
  const candidates = [process.env.VISAGE_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => !!c,
  );
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error(`${MISSING_PYTHON} (tried ${candidates.join(', ')})`);
}

function run(python: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(python, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' },
    maxBuffer: 64 << 20,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${python} ${args.join(' ')} failed:\n${output.slice(-6000)}`);
  return output;
}

interface TensorFile {
  file: string;
  dims: number[];
  type: 'float32' | 'int64';
}
interface Tolerance {
  atol: number;
  rtol: number;
}
interface Manifest {
  graphs: Record<string, { part: keyof typeof VACE_CONTRACTS }>;
  cases: {
    graph: string;
    inputs: Record<string, TensorFile>;
    outputs: Record<string, TensorFile>;
    tolerance: Tolerance;
  }[];
  decoderChain: {
    first: string;
    steady: string;
    latents: TensorFile[];
    frames: TensorFile;
    tolerance: Tolerance;
  };
}

let dir = '';
let manifest: Manifest;
let python = '';

function tensor(t: TensorFile): ort.Tensor {
  const bytes = readFileSync(path.join(dir, t.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = t.type === 'int64' ? new BigInt64Array(buffer) : new Float32Array(buffer);
  return new ort.Tensor(t.type, data, t.dims);
}

function expectClose(got: ort.Tensor, want: ort.Tensor, tolerance: Tolerance, label: string) {
  expect(got.dims, label).toEqual(want.dims);
  const a = got.data as Float32Array;
  const b = want.data as Float32Array;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  expect(scale, `${label}: a reference of zeros tests nothing`).toBeGreaterThan(0.1);
  expect(worst, label).toBeLessThanOrEqual(tolerance.atol + tolerance.rtol * scale);
}

/** The session's I/O against the contract: names in order; fixed sizes of the actual outputs. */
function expectContract(session: ModelSession, contract: WanContract, outputs: Record<string, ort.Tensor>) {
  expect(session.inputs.map((i) => i.name)).toEqual(contract.inputs.map((i) => i.name));
  expect(session.outputs.map((o) => o.name)).toEqual(contract.outputs.map((o) => o.name));
  for (const spec of contract.outputs) {
    const dims = outputs[spec.name]?.dims ?? [];
    expect(dims.length, spec.name).toBe(spec.dims.length);
    spec.dims.forEach((want, axis) => {
      if (typeof want === 'number') expect(dims[axis], `${spec.name} axis ${axis}`).toBe(want);
    });
  }
}

const sessions: ModelSession[] = [];
async function open(graph: string): Promise<ModelSession> {
  const session = await createSession(path.join(dir, graph), { id: graph, providers: ['cpu'], log: quiet });
  sessions.push(session);
  return session;
}

beforeAll(() => {
  python = findPython();
  dir = mkdtempSync(path.join(tmpdir(), 'wan-export-'));
  run(python, [path.join(TOOL, 'tests/export_tiny.py'), dir]);
  manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}, 300_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tools/export-wan', () => {
  it('should pass its Python unit tests (RoPE, wrappers, fp16 islands, external data, contracts)', () => {
    const output = run(python, ['-m', 'unittest', 'discover', '-s', path.join(TOOL, 'tests')], {
      WAN_EXPORT_TINY_DIR: dir,
    });
    expect(output).toMatch(/\nOK\s*$/);
  }, 180_000);

  it('should write graphs that run in onnxruntime-node with the contract I/O and match PyTorch', async () => {
    const parts = new Set(Object.values(manifest.graphs).map((g) => g.part));
    expect(parts).toEqual(new Set(Object.keys(VACE_CONTRACTS)));
    expect(manifest.cases.length).toBe(6); // DiT and UMT5 in fp32 and fp16, the encoder at 9 and 1 frames
    for (const c of manifest.cases) {
      const session = await open(c.graph);
      const feeds = Object.fromEntries(Object.entries(c.inputs).map(([name, t]) => [name, tensor(t)]));
      const outputs = await session.run(feeds);
      const info = manifest.graphs[c.graph];
      if (!info) throw new Error(`${c.graph} is not in the manifest's graphs`);
      expectContract(session, VACE_CONTRACTS[info.part], outputs);
      for (const [name, want] of Object.entries(c.outputs)) {
        expectClose(outputs[name] as ort.Tensor, tensor(want), c.tolerance, `${c.graph} ${name}`);
      }
    }
  }, 120_000);

  it('should decode latent frames one per call, feeding each call the caches of the one before', async () => {
    const chain = manifest.decoderChain;
    const first = await open(chain.first);
    const steady = await open(chain.steady);
    const [latent0, ...later] = chain.latents.map(tensor);
    if (!latent0) throw new Error('no latent frames in the manifest');
    let out = await first.run({ latent: latent0 });
    expectContract(first, VACE_CONTRACTS.vaeDecoderFirst, out);
    const frames: ort.Tensor[] = [out.frames as ort.Tensor];
    for (const latent of later) {
      const feeds: Record<string, ort.Tensor> = { latent };
      for (let i = 0; i < DECODER_CACHES; i++) feeds[cacheIn(i)] = out[cacheOut(i)] as ort.Tensor;
      out = await steady.run(feeds);
      expectContract(steady, VACE_CONTRACTS.vaeDecoder, out);
      frames.push(out.frames as ort.Tensor);
    }
    expect(frames.map((f) => f.dims[2])).toEqual([1, 4, 4]); // 1 + 4·(T − 1) pixel frames (docs/models/wan.md §6.4)
    expectClose(concatFrames(frames), tensor(chain.frames), chain.tolerance, 'decoded frames');
  }, 120_000);
});

/** Concatenates [1, C, t, H, W] tensors along t. */
function concatFrames(parts: ort.Tensor[]): ort.Tensor {
  const [, channels, , height, width] = (parts[0] as ort.Tensor).dims as number[];
  const plane = (height as number) * (width as number);
  const total = parts.reduce((sum, p) => sum + (p.dims[2] as number), 0);
  const data = new Float32Array((channels as number) * total * plane);
  let start = 0;
  for (const part of parts) {
    const count = part.dims[2] as number;
    const source = part.data as Float32Array;
    for (let c = 0; c < (channels as number); c++) {
      data.set(source.subarray(c * count * plane, (c + 1) * count * plane), (c * total + start) * plane);
    }
    start += count;
  }
  return new ort.Tensor('float32', data, [1, channels as number, total, height as number, width as number]);
}
