import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { parseSwVers } from './macos.ts';
import { NVIDIA_SMI_ARGS, type NvidiaGpu, parseNvidiaSmiCsv } from './nvidia.ts';

/** The accelerator a user picks: CUDA (NVIDIA), "mps" (Apple Silicon via CoreML) or plain CPU. */
export type Accelerator = 'cuda' | 'mps' | 'cpu';

export interface DeviceInfo {
  os: { platform: NodeJS.Platform; arch: string; name: string };
  cpu: { model: string; cores: number };
  memoryBytes: number;
  appleSilicon: boolean;
  gpus: NvidiaGpu[];
  /** The best accelerator found. */
  accelerator: Accelerator;
  /** Why an accelerator that seems present cannot be used (e.g. a failing nvidia-smi). */
  problems: string[];
}

export type RunCommand = (file: string, args: string[]) => Promise<string>;

export interface DetectOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  run?: RunCommand;
}

const execFileAsync = promisify(execFile);
const runCommand: RunCommand = async (file, args) =>
  (await execFileAsync(file, args, { timeout: 10_000 })).stdout;

function isMissingCommand(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** NVIDIA GPUs from nvidia-smi; none when the tool is not installed (no driver) or fails. */
async function detectNvidia(run: RunCommand): Promise<{ gpus: NvidiaGpu[]; problems: string[] }> {
  try {
    return { gpus: parseNvidiaSmiCsv(await run('nvidia-smi', NVIDIA_SMI_ARGS)), problems: [] };
  } catch (error) {
    if (isMissingCommand(error)) return { gpus: [], problems: [] };
    // A broken driver (e.g. a library version mismatch) must not stop a CPU-capable machine, but
    // the reason is kept so that the worker logs it and the UI can show it.
    return { gpus: [], problems: [`nvidia-smi is installed but failed: ${(error as Error).message.trim()}`] };
  }
}

/**
 * Finds what this machine can run models on. On macOS it reads `sw_vers` and never calls
 * nvidia-smi (no NVIDIA driver exists there); on Linux and Windows it asks nvidia-smi when present.
 */
export async function detectDevice({
  platform = process.platform,
  arch = process.arch,
  run = runCommand,
}: DetectOptions = {}): Promise<DeviceInfo> {
  const cpus = os.cpus();
  const cpu = { model: cpus[0]?.model.trim() ?? 'unknown CPU', cores: cpus.length };
  const memoryBytes = os.totalmem();
  if (platform === 'darwin') {
    const mac = parseSwVers(await run('sw_vers', []));
    const appleSilicon = arch === 'arm64';
    return {
      os: { platform, arch, name: `${mac.productName} ${mac.productVersion}` },
      cpu,
      memoryBytes,
      appleSilicon,
      gpus: [],
      accelerator: appleSilicon ? 'mps' : 'cpu',
      problems: [],
    };
  }
  const { gpus, problems } = await detectNvidia(run);
  return {
    os: { platform, arch, name: `${os.type()} ${os.release()}` },
    cpu,
    memoryBytes,
    appleSilicon: false,
    gpus,
    accelerator: gpus.length > 0 ? 'cuda' : 'cpu',
    problems,
  };
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** One line for logs and the setup summary. */
export function describeDevice(info: DeviceInfo): string {
  const accel =
    info.accelerator === 'cuda'
      ? info.gpus.map((g) => `${g.name} (${gib(g.memoryTotalBytes)})`).join(', ')
      : info.accelerator === 'mps'
        ? `Apple Silicon, ${gib(info.memoryBytes)} unified memory`
        : 'no GPU';
  return `${info.accelerator} — ${accel}; ${info.os.name} ${info.os.arch}; ${info.cpu.cores}× ${info.cpu.model}; ${gib(info.memoryBytes)} RAM`;
}
