import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DeviceInfo,
  DeviceUnavailableError,
  parseNvidiaSmiCsv,
  providerOption,
  selectDevice,
} from '../src/index.ts';

const GIB = 1024 ** 3;
const h200 = parseNvidiaSmiCsv(
  readFileSync(path.join(import.meta.dirname, 'fixtures/nvidia-smi-h200.csv'), 'utf8'),
);

const linux = (gpus = h200): DeviceInfo => ({
  os: { platform: 'linux', arch: 'x64', name: 'Linux' },
  cpu: { model: 'x', cores: 16 },
  memoryBytes: 128 * GIB,
  appleSilicon: false,
  gpus,
  accelerator: gpus.length ? 'cuda' : 'cpu',
  problems: [],
});
const mac: DeviceInfo = {
  os: { platform: 'darwin', arch: 'arm64', name: 'macOS 15.1' },
  cpu: { model: 'Apple M2 Pro', cores: 12 },
  memoryBytes: 32 * GIB,
  appleSilicon: true,
  gpus: [],
  accelerator: 'mps',
  problems: [],
};

describe(selectDevice.name, () => {
  it('should pick CUDA on an NVIDIA box, with fp16 and free VRAM minus the reserve as budget', () => {
    const selected = selectDevice(linux());
    expect(selected).toMatchObject({
      device: 'cuda',
      providers: ['cuda', 'cpu'],
      precision: 'fp16',
      gpuIndex: 0,
    });
    expect(selected.budgetBytes).toBe(143771 * 1024 * 1024 - 2 * GIB);
  });

  it('should pick mps on Apple Silicon with a share of unified memory, CoreML first', () => {
    const selected = selectDevice(mac);
    expect(selected).toMatchObject({ device: 'mps', providers: ['coreml', 'cpu'], precision: 'fp16' });
    expect(selected.budgetBytes).toBe(Math.round(32 * GIB * 0.6));
    expect(selectDevice(mac, 'auto', { unifiedShare: 0.25 }).budgetBytes).toBe(8 * GIB);
  });

  it('should run fp32 on the CPU with half the RAM, and honour VISAGE_MODEL_MEMORY_GB', () => {
    expect(selectDevice(linux([]))).toMatchObject({
      device: 'cpu',
      providers: ['cpu'],
      precision: 'fp32',
      budgetBytes: 64 * GIB,
    });
    expect(selectDevice(linux(), 'cpu', { modelMemoryGb: 1.5 })).toMatchObject({
      device: 'cpu',
      budgetBytes: 1.5 * GIB,
      budgetReason: 'VISAGE_MODEL_MEMORY_GB=1.5',
    });
  });

  it('should refuse a device that is not there, saying why and what is', () => {
    expect(() => selectDevice(linux([]), 'cuda')).toThrow(DeviceUnavailableError);
    expect(() => selectDevice(linux([]), 'cuda')).toThrow(
      'VISAGE_DEVICE=cuda is not available here: no NVIDIA GPU was found (nvidia-smi is missing or lists none). Available: cpu.',
    );
    expect(() => selectDevice(mac, 'cuda')).toThrow(/CUDA does not exist on macOS/);
    expect(() => selectDevice(linux(), 'mps')).toThrow(
      /mps \(Apple Silicon\) exists only on macOS\. Available: cuda, cpu\./,
    );
    const broken = { ...linux([]), problems: ['nvidia-smi is installed but failed: NVML mismatch'] };
    expect(() => selectDevice(broken, 'cuda')).toThrow(/nvidia-smi is installed but failed: NVML mismatch/);
  });

  it('should give CoreML the ML Program flag and CUDA its device id', () => {
    expect(providerOption('coreml')).toEqual({ name: 'coreml', coreMlFlags: 0x010 });
    expect(providerOption('cuda', 1)).toEqual({ name: 'cuda', deviceId: 1 });
  });
});
