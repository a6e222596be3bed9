// Video IO for the pipelines: probe, stream frames out of a file, stream frames into an H.264 file.

// Probing, errors and rates belong to @visage/ffmpeg (the one owner of ffmpeg); re-exported so the
// pipelines see one video API.
export {
  FfmpegError,
  type FfmpegFailure,
  fpsToRational,
  parseRational,
  probe as probeVideo,
  type VideoInfo,
} from '@visage/ffmpeg';
export {
  type DecodeOptions,
  type DecodeStats,
  decodeFrames,
  type FrameStream,
  frameImage,
  framePicture,
  type VideoFrame,
} from './decode.ts';
export {
  autoVideoDecoder,
  chooseVideoDecoder,
  type DecoderChoice,
  type DecoderChoiceDeps,
  detectHwaccels,
  type HardwareVideoDecoder,
  hwaccelArgs,
  parseHwaccels,
  testVideoDecoder,
  type VideoDecoder,
} from './decoders.ts';
export { createEncoder, type EncodedColor, type EncoderOptions, type VideoEncoder } from './encode.ts';
export {
  autoH264Encoder,
  chooseH264Encoder,
  detectH264Encoders,
  type H264Choice,
  type H264Codec,
  type HardwareH264Codec,
  parseH264Encoders,
  testH264Encoder,
  type X264Preset,
} from './encoders.ts';
