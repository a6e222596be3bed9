// From what the machine has (detect.ts) to what Visage will use: the device (auto or forced by
// VISAGE_DEVICE), the onnxruntime execution-provider chain, the precision and the memory budget
// the ModelManager must stay within (docs/platform.md §3–§6).
import type { Accelerator, DeviceInfo } from './detect.ts';

export type DeviceChoice = 'auto' | Accelerator;
export type ProviderName = 'cuda' | 'coreml' | 'cpu';
export type Precision = 'fp16' | 'fp32';

/** onnxruntime-node execution-provider options, as passed to InferenceSession.create. */
export type ProviderOption =
  | { name: 'cuda'; deviceId: number }
  | { name: 'coreml'; coreMlFlags: number }
  | { name: 'cpu' };

// COREML_FLAG_CREATE_MLPROGRAM: the ML Program format runs fp16 natively and supports more
// operators than the older NeuralNetwork format (FaceFusion uses it for its fp16 models;
// docs/platform.md §4.4).
const COREML_FLAG_CREATE_MLPROGRAM = 0x010;

/** onnxruntime-node does not fall back by itself: the session tries these in order. */
export const PROVIDER_CHAINS: Readonly<Record<Accelerator, readonly ProviderName[]>> = Object.freeze({
  cuda: Object.freeze(['cuda', 'cpu'] as const),
  mps: Object.freeze(['coreml', 'cpu'] as const),
  cpu: Object.freeze(['cpu'] as const),
});

export function providerOption(name: ProviderName, deviceId = 0): ProviderOption {
  if (name === 'cuda') return { name, deviceId };
  if (name === 'coreml') return { name, coreMlFlags: COREML_FLAG_CREATE_MLPROGRAM };
  return { name };
}

export interface BudgetSettings {
  /** VISAGE_MODEL_MEMORY_GB: an explicit budget, overriding the rules below. */
  modelMemoryGb?: number;
  /** Kept free on a CUDA GPU for activations, cuDNN workspaces and other processes. */
  cudaReserveBytes?: number;
  /** Share of unified memory models may use on Apple Silicon (the OS and apps need the rest). */
  unifiedShare?: number;
  /** Share of RAM models may use on a CPU-only machine. */
  ramShare?: number;
}

export interface SelectedDevice {
  device: Accelerator;
  providers: readonly ProviderName[];
  /** fp16 where the catalog has a variant (cuda, mps); fp32 on the CPU. */
  precision: Precision;
  budgetBytes: number;
  /** How the budget was derived, for logs and the settings page. */
  budgetReason: string;
  /** The GPU (for cuda), by nvidia-smi index. */
  gpuIndex: number | null;
}

export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

function available(info: DeviceInfo): Accelerator[] {
  const list: Accelerator[] = [];
  if (info.gpus.length > 0) list.push('cuda');
  if (info.appleSilicon) list.push('mps');
  list.push('cpu');
  return list;
}

function whyUnavailable(device: Accelerator, info: DeviceInfo): string {
  if (device === 'cuda') {
    if (info.os.platform === 'darwin')
      return 'CUDA does not exist on macOS; use VISAGE_DEVICE=mps (Apple Silicon) or cpu';
    return info.problems[0] ?? 'no NVIDIA GPU was found (nvidia-smi is missing or lists none)';
  }
  return info.os.platform === 'darwin'
    ? 'this Mac has no Apple Silicon (mps needs an M-series chip and an arm64 Node.js)'
    : 'mps (Apple Silicon) exists only on macOS';
}

/**
 * Picks the device. `auto` takes the best one present; naming one that is not present is an
 * error at start-up, never a silent fallback to something slower.
 */
export function selectDevice(
  info: DeviceInfo,
  choice: DeviceChoice = 'auto',
  settings: BudgetSettings = {},
): SelectedDevice {
  const present = available(info);
  const device = choice === 'auto' ? (present[0] as Accelerator) : choice;
  if (!present.includes(device)) {
    throw new DeviceUnavailableError(
      `VISAGE_DEVICE=${choice} is not available here: ${whyUnavailable(device, info)}. Available: ${present.join(', ')}.`,
    );
  }
  const gpu = device === 'cuda' ? info.gpus[0] : undefined;
  return {
    device,
    providers: PROVIDER_CHAINS[device],
    precision: device === 'cpu' ? 'fp32' : 'fp16',
    ...memoryBudget(device, info, settings),
    gpuIndex: gpu?.index ?? null,
  };
}

function memoryBudget(device: Accelerator, info: DeviceInfo, settings: BudgetSettings) {
  const { modelMemoryGb, cudaReserveBytes = 2 * GIB, unifiedShare = 0.6, ramShare = 0.5 } = settings;
  if (modelMemoryGb !== undefined) {
    return {
      budgetBytes: Math.round(modelMemoryGb * GIB),
      budgetReason: `VISAGE_MODEL_MEMORY_GB=${modelMemoryGb}`,
    };
  }
  if (device === 'cuda') {
    const gpu = info.gpus[0];
    const free = (gpu?.memoryTotalBytes ?? 0) - (gpu?.memoryUsedBytes ?? 0);
    const budgetBytes = Math.max(0, free - cudaReserveBytes);
    return {
      budgetBytes,
      budgetReason: `free VRAM ${gib(free)} minus a ${gib(cudaReserveBytes)} working reserve`,
    };
  }
  const share = device === 'mps' ? unifiedShare : ramShare;
  const what = device === 'mps' ? 'unified memory' : 'RAM';
  return {
    budgetBytes: Math.round(info.memoryBytes * share),
    budgetReason: `${Math.round(share * 100)}% of ${gib(info.memoryBytes)} ${what}`,
  };
}
