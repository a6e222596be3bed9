import { describe, expect, it } from 'vitest';
import { runTool, ToolError } from '../src/media/exec.ts';
import { formatBytes } from '../src/media/index.ts';

describe(runTool.name, () => {
  it('should return stdout of a successful run', async () => {
    expect((await runTool('printf', ['hello'])).toString()).toBe('hello');
  });

  it('should fail with the last stderr line', async () => {
    const error = await runTool('sh', ['-c', 'echo first >&2; echo "the reason" >&2; exit 3']).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ detail: 'the reason', message: 'sh failed: the reason' });
  });

  it('should kill a tool that runs too long', async () => {
    const started = Date.now();
    await expect(runTool('sleep', ['10'], { timeoutMs: 100 })).rejects.toThrow(
      'sleep took longer than 100 ms',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('should kill a tool that prints too much', async () => {
    await expect(runTool('head', ['-c', '100000', '/dev/zero'], { maxStdoutBytes: 10 })).rejects.toThrow(
      'head printed more than 10 bytes',
    );
  });

  it('should say when a tool is missing', async () => {
    await expect(runTool('visage-no-such-tool', [])).rejects.toThrow(
      /Could not run visage-no-such-tool \(is ffmpeg installed/,
    );
  });
});

describe(formatBytes.name, () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [50 * 1024 ** 2, '50 MB'],
    [64_172_851, '61.2 MB'],
    [2 * 1024 ** 3, '2 GB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
