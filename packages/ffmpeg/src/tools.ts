// Which ffmpeg and ffprobe binaries to run: FFMPEG_PATH / FFPROBE_PATH (fluent-ffmpeg's variable names,
// which scripts/setup.sh honours too), else the ones on PATH. Read at each spawn, so a test may change them.

export type FfmpegTool = 'ffmpeg' | 'ffprobe';

const ENV: Record<FfmpegTool, 'FFMPEG_PATH' | 'FFPROBE_PATH'> = {
  ffmpeg: 'FFMPEG_PATH',
  ffprobe: 'FFPROBE_PATH',
};

/** The variable that overrides `tool`'s binary. */
export const envVariable = (tool: FfmpegTool) => ENV[tool];

/** The command that runs `tool`: its variable when set (and not empty), else its name on PATH. */
export function toolPath(tool: FfmpegTool): string {
  return process.env[ENV[tool]] || tool;
}

export const ffmpegPath = (): string => toolPath('ffmpeg');
export const ffprobePath = (): string => toolPath('ffprobe');
