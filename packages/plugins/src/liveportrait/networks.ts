// The LivePortrait networks as FasterLivePortrait exports them (docs/models/liveportrait.md §2.2): appearance
// features F and motion M from a 256² crop, the warping module + SPADE generator W+G that renders a
// 512² face from the features and two keypoint sets, and the stitching / eye / lip MLPs.
// Inputs are RGB /255 NCHW; W+G's output is 0..1 RGB. Tensor names are FLP's (read from the files by
// HPC's port); a model whose names differ gets a message listing what it declares.
import {
  fromCHW,
  type ModelSession,
  NORMALIZE,
  ort,
  type RgbImage,
  resizeImage,
  toCHW,
} from '@visage/inference';
import { decodeMotion, type MotionInfo, NUM_KEYPOINTS } from './motion.ts';

/** F and M take 256² crops; W+G renders 512². */
export const LP_INPUT_SIZE = 256;
export const LP_OUTPUT_SIZE = 512;
const MOTION_OUTPUTS = ['pitch', 'yaw', 'roll', 't', 'exp', 'scale', 'kp'] as const;

function output(outputs: Record<string, ort.Tensor>, session: ModelSession, name: string): ort.Tensor {
  const tensor = outputs[name];
  if (!tensor) {
    throw new Error(
      `${session.id}: no output "${name}" (the model has ${session.outputs.map((o) => o.name).join(', ')})`,
    );
  }
  return tensor;
}

function only<T>(items: readonly T[], session: ModelSession, what: string): T {
  const [first] = items;
  if (first === undefined) throw new Error(`${session.id}: the model has no ${what}`);
  return first;
}

/**
 * The 256² network input from a crop, RGB /255 NCHW. A 512² crop is halved by averaging 2×2 blocks,
 * which is exactly LP's INTER_AREA at this ratio (and costs a fraction of a general resize).
 */
export async function networkInput(crop: RgbImage): Promise<ort.Tensor> {
  let small: RgbImage;
  if (crop.width === LP_INPUT_SIZE && crop.height === LP_INPUT_SIZE) small = crop;
  else if (crop.width === 2 * LP_INPUT_SIZE && crop.height === 2 * LP_INPUT_SIZE && crop.channels === 3) {
    small = halve(crop);
  } else small = await resizeImage(crop, LP_INPUT_SIZE, LP_INPUT_SIZE);
  return new ort.Tensor('float32', toCHW(small, NORMALIZE.unit), [1, 3, LP_INPUT_SIZE, LP_INPUT_SIZE]);
}

/** Half size by the mean of each 2×2 block (3 channels), rounded. */
export function halve(img: RgbImage): RgbImage {
  const width = img.width >> 1;
  const height = img.height >> 1;
  const out = new Uint8Array(width * height * 3);
  const src = img.data;
  const row = img.width * 3;
  for (let y = 0; y < height; y++) {
    let i = 2 * y * row;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, i += 6, o += 3) {
      for (let c = 0; c < 3; c++) {
        out[o + c] =
          ((src[i + c] as number) +
            (src[i + 3 + c] as number) +
            (src[i + row + c] as number) +
            (src[i + row + 3 + c] as number) +
            2) >>
          2;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/** F: the [1,32,16,64,64] appearance feature volume, kept as a tensor to feed W+G every frame. */
export async function appearanceFeatures(session: ModelSession, input: ort.Tensor): Promise<ort.Tensor> {
  const outputs = await session.run({ img: input });
  return output(outputs, session, 'output');
}

/** M: pose, expression, scale, translation and canonical keypoints, decoded. */
export async function extractMotion(session: ModelSession, input: ort.Tensor): Promise<MotionInfo> {
  const outputs = await session.run({ img: input });
  const raw = Object.fromEntries(
    MOTION_OUTPUTS.map((name) => [name, output(outputs, session, name).data as Float32Array]),
  ) as Record<(typeof MOTION_OUTPUTS)[number], Float32Array>;
  return decodeMotion(raw);
}

/**
 * W+G: the face with the source's appearance at the driving keypoints, as the network gives it: 512²
 * CHW float planes in 0..1 (pasted straight from floats, or turned into an image with faceImage).
 */
export async function renderFace(
  session: ModelSession,
  features: ort.Tensor,
  kpDriving: Float32Array,
  kpSource: Float32Array,
): Promise<Float32Array> {
  const dims = [1, NUM_KEYPOINTS, 3];
  const outputs = await session.run({
    feature_3d: features,
    kp_driving: new ort.Tensor('float32', kpDriving, dims), // driving before source, as FLP's export
    kp_source: new ort.Tensor('float32', kpSource, dims),
  });
  const out = output(outputs, session, 'out').data as Float32Array;
  if (out.length !== 3 * LP_OUTPUT_SIZE * LP_OUTPUT_SIZE) {
    throw new Error(
      `${session.id}: "out" has ${out.length} values, a [1,3,512,512] face needs ${3 * LP_OUTPUT_SIZE ** 2}`,
    );
  }
  return out;
}

/** W+G's planes as an 8-bit 512² image. */
export function faceImage(planes: Float32Array): RgbImage {
  return fromCHW(planes, LP_OUTPUT_SIZE, LP_OUTPUT_SIZE, NORMALIZE.unit);
}

/** One of the MLPs (stitching [1,126]→[1,65], eye [1,66]→[1,63], lip [1,65]→[1,63]). */
export async function runMlp(session: ModelSession, input: Float32Array): Promise<Float32Array> {
  const name = only(session.inputs, session, 'input').name;
  const outputs = await session.run({ [name]: new ort.Tensor('float32', input, [1, input.length]) });
  return output(outputs, session, only(session.outputs, session, 'output').name).data as Float32Array;
}
