export interface NvidiaGpu {
  index: number;
  name: string;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
}

/** The query whose output `parseNvidiaSmiCsv` reads. */
export const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,memory.used', '--format=csv'];

const MIB = 1024 * 1024;

/** "81559 MiB" (or "81559" with nounits) → bytes. */
function parseMiB(field: string): number {
  const value = Number.parseFloat(field);
  if (!Number.isFinite(value)) throw new Error(`nvidia-smi: cannot read memory value "${field}"`);
  return Math.round(value * MIB);
}

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv` (with or without the
 * header line and units). GPU names never contain commas, so a plain split is safe.
 */
export function parseNvidiaSmiCsv(output: string): NvidiaGpu[] {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('name,'));
  return lines.map((line, index) => {
    const [name, total, used] = line.split(',').map((f) => f.trim());
    if (!name || total === undefined || used === undefined) {
      throw new Error(`nvidia-smi: unexpected line "${line}"`);
    }
    return { index, name, memoryTotalBytes: parseMiB(total), memoryUsedBytes: parseMiB(used) };
  });
}
