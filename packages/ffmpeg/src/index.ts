// @visage/ffmpeg: the one owner of ffmpeg and ffprobe. Every spawn of either goes through start()/run()
// (FFMPEG_PATH / FFPROBE_PATH honoured, stderr kept for FfmpegError), and probe() is the one video
// prober. Test helpers are in ./testing.
export { FfmpegError, type FfmpegErrorDetails, type FfmpegFailure } from './errors.ts';
export { type AudioStreamInfo, probe, probeAudio, type VideoColor, type VideoInfo } from './probe.ts';
export {
  type Exit,
  type FfmpegProcess,
  type ResultOptions,
  type RunOptions,
  run,
  type StartOptions,
  start,
  succeeded,
} from './process.ts';
export { fpsToRational, parseRational } from './rational.ts';
export { type FfmpegTool, ffmpegPath, ffprobePath, toolPath } from './tools.ts';
