import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeDevice,
  detectDevice,
  parseNvidiaSmiCsv,
  parseSwVers,
  type RunCommand,
} from '../src/index.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const MIB = 1024 * 1024;

describe(parseNvidiaSmiCsv.name, () => {
  it('should read the captured H200 output', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-h200.csv'))).toEqual([
      { index: 0, name: 'NVIDIA H200', memoryTotalBytes: 143771 * MIB, memoryUsedBytes: 0 },
    ]);
  });

  it('should read several GPUs, without header or units', () => {
    const gpus = parseNvidiaSmiCsv(
      'NVIDIA GeForce RTX 4090, 24564, 1203\nNVIDIA GeForce RTX 3060, 12288, 0\n',
    );
    expect(gpus.map((g) => [g.index, g.name, g.memoryTotalBytes / MIB, g.memoryUsedBytes / MIB])).toEqual([
      [0, 'NVIDIA GeForce RTX 4090', 24564, 1203],
      [1, 'NVIDIA GeForce RTX 3060', 12288, 0],
    ]);
  });

  it('should reject output it does not understand', () => {
    expect(() => parseNvidiaSmiCsv('NVIDIA H200, [N/A], 0 MiB')).toThrow(
      /cannot read memory value "\[N\/A\]"/,
    );
    expect(() => parseNvidiaSmiCsv('Failed to initialize NVML')).toThrow(/unexpected line/);
  });
});

describe(parseSwVers.name, () => {
  it('should read the product version', () => {
    expect(parseSwVers(fixture('sw_vers-macos15.txt'))).toEqual({
      productName: 'macOS',
      productVersion: '15.1',
      buildVersion: '24B83',
    });
  });

  it('should fail on output without a version', () => {
    expect(() => parseSwVers('sw_vers: command not found')).toThrow(/no ProductVersion/);
  });
});

/** A fake command runner that records what was asked. */
function fakeRun(outputs: Record<string, string | NodeJS.ErrnoException>) {
  const calls: string[] = [];
  const run: RunCommand = async (file) => {
    calls.push(file);
    const out = outputs[file];
    if (out === undefined) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    if (out instanceof Error) throw out;
    return out;
  };
  return { run, calls };
}

describe(detectDevice.name, () => {
  it('should pick mps on Apple Silicon and never ask nvidia-smi', async () => {
    const { run, calls } = fakeRun({
      sw_vers: fixture('sw_vers-macos15.txt'),
      'nvidia-smi': 'should not be read',
    });
    const device = await detectDevice({ platform: 'darwin', arch: 'arm64', run });
    expect(device.accelerator).toBe('mps');
    expect(device.appleSilicon).toBe(true);
    expect(device.os.name).toBe('macOS 15.1');
    expect(calls).toEqual(['sw_vers']);
  });

  it('should fall back to cpu on an Intel Mac', async () => {
    const { run, calls } = fakeRun({ sw_vers: fixture('sw_vers-macos15.txt') });
    const device = await detectDevice({ platform: 'darwin', arch: 'x64', run });
    expect(device.accelerator).toBe('cpu');
    expect(calls).not.toContain('nvidia-smi');
  });

  it('should pick cuda on Linux when nvidia-smi lists a GPU', async () => {
    const { run } = fakeRun({ 'nvidia-smi': fixture('nvidia-smi-h200.csv') });
    const device = await detectDevice({ platform: 'linux', arch: 'x64', run });
    expect(device.accelerator).toBe('cuda');
    expect(device.gpus).toHaveLength(1);
    expect(describeDevice(device)).toMatch(/^cuda — NVIDIA H200 \(140\.4 GiB\); /);
  });

  it('should pick cpu on Linux without nvidia-smi', async () => {
    const { run } = fakeRun({});
    const device = await detectDevice({ platform: 'linux', arch: 'x64', run });
    expect(device.accelerator).toBe('cpu');
    expect(device.gpus).toEqual([]);
    expect(describeDevice(device)).toMatch(/^cpu — no GPU; /);
  });

  it('should fall back to cpu when nvidia-smi exists but fails, and say why', async () => {
    const failure = Object.assign(new Error('Failed to initialize NVML: Driver/library version mismatch\n'), {
      code: 'ERR',
    });
    const { run } = fakeRun({ 'nvidia-smi': failure as NodeJS.ErrnoException });
    const device = await detectDevice({ platform: 'linux', arch: 'x64', run });
    expect(device.accelerator).toBe('cpu');
    expect(device.problems).toEqual([
      'nvidia-smi is installed but failed: Failed to initialize NVML: Driver/library version mismatch',
    ]);
  });
});
