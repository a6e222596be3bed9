import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeyValues, Sandbox } from './sandbox.ts';

const h200 = readFileSync(path.join(import.meta.dirname, 'fixtures/nvidia-smi-h200-noheader.csv'), 'utf8');

/** A Mac: uname, sw_vers and sysctl answer as macOS does; node reports `nodeArch`. */
function mac(sandbox: Sandbox, { appleSilicon, nodeArch }: { appleSilicon: boolean; nodeArch: string }) {
  return sandbox
    .fake(
      'uname',
      `case "$1" in -s) echo Darwin ;; -m) echo ${nodeArch === 'arm64' ? 'arm64' : 'x86_64'} ;; esac`,
    )
    .fake('sw_vers', 'case "$1" in -productName) echo macOS ;; -productVersion) echo 15.1 ;; esac')
    .fake(
      'sysctl',
      `case "$2" in
         hw.optional.arm64) echo ${appleSilicon ? 1 : 0} ;;
         machdep.cpu.brand_string) echo "${appleSilicon ? 'Apple M2 Pro' : 'Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz'}" ;;
         hw.memsize) echo 34359738368 ;;
         sysctl.proc_translated) echo ${appleSilicon && nodeArch !== 'arm64' ? 1 : 0} ;;
       esac`,
    )
    .fake('nvidia-smi', 'echo "NVIDIA H200, 143771 MiB"')
    .fake(
      'node',
      `if [ "$1" = -p ] && [ "$2" = process.arch ]; then echo ${nodeArch}; else exec "$REAL" "$@"; fi`,
    );
}

describe('setup.sh --platform', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox.dispose());

  it('should find mps on Apple Silicon and never call nvidia-smi', () => {
    sandbox = new Sandbox();
    mac(sandbox, { appleSilicon: true, nodeArch: 'arm64' });
    const { code, stdout, stderr } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(code, stderr).toBe(0);
    expect(parseKeyValues(stdout)).toEqual({
      os: 'macos',
      os_name: 'macOS 15.1',
      arch: 'arm64',
      accelerator: 'mps',
      accelerator_detail: 'Apple M2 Pro, 32 GiB unified memory (CoreML)',
    });
    expect(sandbox.calls().some((c) => c.startsWith('sw_vers'))).toBe(true);
    expect(sandbox.calls().filter((c) => c.startsWith('nvidia-smi'))).toEqual([]);
  });

  it('should warn that Node under Rosetta cannot use CoreML', () => {
    sandbox = new Sandbox();
    mac(sandbox, { appleSilicon: true, nodeArch: 'x64' });
    const { code, stdout, stderr } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(code).toBe(0);
    expect(parseKeyValues(stdout).accelerator).toBe('cpu');
    expect(stderr).toContain('Node runs as x86_64 under Rosetta');
    expect(sandbox.calls().filter((c) => c.startsWith('nvidia-smi'))).toEqual([]);
  });

  it('should find only the CPU on an Intel Mac', () => {
    sandbox = new Sandbox();
    mac(sandbox, { appleSilicon: false, nodeArch: 'x64' });
    const { stdout } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(parseKeyValues(stdout)).toMatchObject({ os: 'macos', arch: 'x64', accelerator: 'cpu' });
    expect(parseKeyValues(stdout).accelerator_detail).toMatch(/^Intel Mac \(Intel\(R\) Core/);
    expect(sandbox.calls().filter((c) => c.startsWith('nvidia-smi'))).toEqual([]);
  });

  it('should find CUDA on Linux from nvidia-smi (output captured on an H200)', () => {
    sandbox = new Sandbox();
    sandbox
      .fake('uname', 'case "$1" in -s) echo Linux ;; -m) echo x86_64 ;; esac')
      .fake('nvidia-smi', `cat <<'CSV'\n${h200.trim()}\nCSV`);
    const { code, stdout, stderr } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(code, stderr).toBe(0);
    expect(parseKeyValues(stdout)).toMatchObject({
      os: 'linux',
      arch: 'x64',
      accelerator: 'cuda',
      accelerator_detail: 'NVIDIA H200, 143771 MiB',
    });
    expect(sandbox.calls()).toContain('nvidia-smi --query-gpu=name,memory.total --format=csv,noheader');
  });

  it('should list every GPU of a multi-GPU Linux box', () => {
    sandbox = new Sandbox();
    sandbox
      .fake('uname', 'case "$1" in -s) echo Linux ;; -m) echo aarch64 ;; esac')
      .fake(
        'nvidia-smi',
        'printf "NVIDIA GeForce RTX 4090, 24564 MiB\\nNVIDIA GeForce RTX 3090, 24576 MiB\\n"',
      );
    const { stdout } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(parseKeyValues(stdout)).toMatchObject({
      arch: 'arm64',
      accelerator: 'cuda',
      accelerator_detail: 'NVIDIA GeForce RTX 4090, 24564 MiB; NVIDIA GeForce RTX 3090, 24576 MiB',
    });
  });

  it('should find only the CPU on Linux without nvidia-smi', () => {
    sandbox = new Sandbox();
    sandbox.fake('uname', 'case "$1" in -s) echo Linux ;; -m) echo x86_64 ;; esac');
    const { stdout } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(parseKeyValues(stdout)).toMatchObject({ os: 'linux', accelerator: 'cpu' });
    expect(parseKeyValues(stdout).accelerator_detail).toContain('nvidia-smi not installed');
  });

  it('should say why when nvidia-smi is installed but broken', () => {
    sandbox = new Sandbox();
    sandbox
      .fake('uname', 'case "$1" in -s) echo Linux ;; -m) echo x86_64 ;; esac')
      .fake('nvidia-smi', 'echo "Failed to initialize NVML: Driver/library version mismatch"; exit 18');
    const { stdout } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(parseKeyValues(stdout)).toMatchObject({
      accelerator: 'cpu',
      accelerator_detail:
        'nvidia-smi failed (Failed to initialize NVML: Driver/library version mismatch): models run on the CPU',
    });
  });

  it('should refuse an unsupported OS with a clear message', () => {
    sandbox = new Sandbox();
    sandbox.fake('uname', 'echo FreeBSD');
    const { code, stderr } = sandbox.run('scripts/setup.sh', ['--platform']);
    expect(code).toBe(1);
    expect(stderr).toContain('Unsupported operating system: FreeBSD.');
  });
});
