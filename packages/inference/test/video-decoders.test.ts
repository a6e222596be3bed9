import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  autoVideoDecoder,
  chooseVideoDecoder,
  detectHwaccels,
  type HardwareVideoDecoder,
  hwaccelArgs,
  parseHwaccels,
  testVideoDecoder,
  type VideoDecoder,
} from '../src/video/index.ts';

// `ffmpeg -hide_banner -hwaccels` from Debian 12's ffmpeg 5.1.
const DEBIAN_LISTING = `Hardware acceleration methods:
vdpau
cuda
vaapi
qsv
drm
opencl
vulkan

`;

describe('hardware decoder choice', () => {
  it('reads the hwaccels ffmpeg lists', () => {
    expect(parseHwaccels(DEBIAN_LISTING)).toEqual(['cuda']);
    expect(parseHwaccels('Hardware acceleration methods:\nvideotoolbox\n')).toEqual(['videotoolbox']);
    expect(parseHwaccels('')).toEqual([]);
    expect(parseHwaccels('Hardware acceleration methods:\n\n')).toEqual([]);
  });

  it('chooses: VideoToolbox on macOS, cuda elsewhere, each only when a test decode works', async () => {
    const tested: VideoDecoder[] = [];
    const deps = (platform: NodeJS.Platform, listed: HardwareVideoDecoder[], failure?: string) => ({
      platform,
      listHwaccels: async () => listed,
      testDecoder: async (decoder: VideoDecoder) => {
        tested.push(decoder);
        return failure;
      },
    });
    expect(await chooseVideoDecoder(deps('darwin', ['videotoolbox']))).toEqual({
      decoder: 'videotoolbox',
      reason: 'videotoolbox decodes on this machine',
    });
    expect(await chooseVideoDecoder(deps('darwin', ['cuda']))).toEqual({
      decoder: 'software',
      reason: 'this ffmpeg has no videotoolbox hwaccel',
    });
    expect(await chooseVideoDecoder(deps('linux', ['cuda']))).toEqual({
      decoder: 'cuda',
      reason: 'cuda decodes on this machine',
    });
    expect(await chooseVideoDecoder(deps('linux', ['cuda'], 'Cannot load libcuda.so.1'))).toEqual({
      decoder: 'software',
      reason: 'cuda is listed but cannot decode here (Cannot load libcuda.so.1)',
    });
    expect(await chooseVideoDecoder(deps('linux', ['videotoolbox']))).toEqual({
      decoder: 'software',
      reason: 'this ffmpeg has no cuda hwaccel',
    });
    expect(tested).toEqual(['videotoolbox', 'cuda', 'cuda']);
  });

  it('gives the input arguments for each decoder', () => {
    expect(hwaccelArgs('software')).toEqual([]);
    expect(hwaccelArgs('cuda')).toEqual(['-hwaccel', 'cuda']);
    expect(hwaccelArgs('videotoolbox')).toEqual(['-hwaccel', 'videotoolbox']);
  });

  it('a real test decode: software works, cuda only with an NVIDIA GPU, and auto agrees', async () => {
    expect(await testVideoDecoder('software')).toBeUndefined();
    // NVDEC can work only with a working NVIDIA driver and an ffmpeg built with cuda.
    const gpu =
      spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore' }).status === 0 &&
      (await detectHwaccels()).includes('cuda');
    const cuda = await testVideoDecoder('cuda');
    if (gpu) expect(cuda).toBeUndefined();
    else expect(cuda).toMatch(/^Test decode with cuda failed: \S/);
    if (process.platform !== 'linux') return;
    const choice = await autoVideoDecoder();
    expect(autoVideoDecoder()).toBe(autoVideoDecoder());
    if (gpu) expect(choice.decoder).toBe('cuda');
    else {
      expect(choice.decoder).toBe('software');
      expect(choice.reason).toMatch(
        /^(cuda is listed but cannot decode here \(.+\)|this ffmpeg has no cuda hwaccel)$/,
      );
    }
  });
});
