// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the decode loop are in bounds (length checked first)
// YOLOFace 8n (FaceFusion's default detector, `yoloface_8n.onnx`, docs/models/face.md §2.3), as FaceFusion's
// `detect_with_yolo_face` runs it: shrunk to fit 640² if larger (never enlarged), top-left zero padding
// to a fixed 640², BGR, x/255, NCHW (the catalog entry's `preprocess`, ./models.ts).
// One output [1, 20, 8400]: per anchor box centre x, centre y, w, h (input pixels, already decoded),
// score, then 5 × (x, y, visibility). Decoded in place on the [20, A] layout (channel-major), with no
// transposed copy.
import { type Letterbox, letterbox, type ModelSession, ort, type Picture, toRgb } from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { FACE_MODEL_SET } from './models.ts';
import { nonMaxSuppression } from './nms.ts';
import { FIVE_POINT_KEYPOINTS, type LetterboxGeometry } from './scrfd.ts';
import type { FaceDetection } from './types.ts';

const PREPROCESS = FACE_MODEL_SET.yoloface.preprocess;
export const YOLOFACE_SIZE = PREPROCESS.size;
/** Rows per anchor: 4 box + 1 score + 5 × (x, y, visibility). */
const CHANNELS = 20;

export interface YoloFaceOptions {
  /** Keep candidates with score > this (FaceFusion `--face-detector-score`). Default 0.5. */
  scoreThreshold?: number;
  /** NMS IoU. Default 0.4. */
  iouThreshold?: number;
}

export interface YoloFaceDecodeOptions {
  scoreThreshold: number;
  /** The letterbox that made the input; detections are mapped back through it. Default: input pixels. */
  letterbox?: LetterboxGeometry;
}

/**
 * The raw output of batch item 0, [20, A] channel-major (value (c, a) at c·A + a) → detections above
 * the threshold, before NMS. The keypoints' visibility channels are ignored, as FaceFusion does. Pure.
 */
export function decodeYoloFace(raw: Float32Array, options: YoloFaceDecodeOptions): FaceDetection[] {
  if (raw.length === 0 || raw.length % CHANNELS !== 0) {
    throw new RangeError(`decodeYoloFace: expected 20 × A values, got ${raw.length}`);
  }
  const { scoreThreshold } = options;
  const { scale, padX, padY } = options.letterbox ?? { scale: 1, padX: 0, padY: 0 };
  const A = raw.length / CHANNELS;
  const found: FaceDetection[] = [];
  for (let a = 0; a < A; a++) {
    const score = raw[4 * A + a]!;
    if (!(score > scoreThreshold)) continue;
    const cx = raw[a]!;
    const cy = raw[A + a]!;
    const hw = raw[2 * A + a]! / 2;
    const hh = raw[3 * A + a]! / 2;
    const keypoints: [number, number][] = [];
    for (let k = 0, c = 5; k < 5; k++, c += 3) {
      keypoints.push([(raw[c * A + a]! - padX) / scale, (raw[(c + 1) * A + a]! - padY) / scale]);
    }
    found.push({
      box: [
        (cx - hw - padX) / scale,
        (cy - hh - padY) / scale,
        (cx + hw - padX) / scale,
        (cy + hh - padY) / scale,
      ],
      score,
      keypoints,
      keypointNames: FIVE_POINT_KEYPOINTS,
    });
  }
  return found;
}

/** `image` at the top-left of a zero 640² canvas, unscaled. */
function padToInput(picture: Picture): Letterbox {
  const image = toRgb(picture); // at most 640², so converting all of it is the crop
  const { width, height, channels } = image;
  const data = new Uint8Array(YOLOFACE_SIZE * YOLOFACE_SIZE * channels);
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    data.set(image.data.subarray(y * row, (y + 1) * row), y * YOLOFACE_SIZE * channels);
  }
  return {
    image: { width: YOLOFACE_SIZE, height: YOLOFACE_SIZE, channels, data },
    scale: 1,
    padX: 0,
    padY: 0,
  };
}

/**
 * Normalised [1,3,640,640] input (BGR, x/255) and its geometry: as FaceFusion's restrict_frame, an image
 * larger than 640² is shrunk to fit (top-left letterbox) and a smaller one is only padded, never
 * enlarged (docs/models/face.md §2.3).
 */
export function prepareYoloFaceInput(image: Picture) {
  const fits = image.width <= YOLOFACE_SIZE && image.height <= YOLOFACE_SIZE;
  const boxed = fits ? padToInput(image) : letterbox(image, YOLOFACE_SIZE, { position: 'top-left' });
  const tensor = inputValues(boxed.image, PREPROCESS);
  return { tensor, letterbox: boxed };
}

/** Faces in `image`, best first, in the image's pixel coordinates. */
export async function detectFacesYoloFace(
  session: ModelSession,
  image: Picture,
  { scoreThreshold = 0.5, iouThreshold = 0.4 }: YoloFaceOptions = {},
): Promise<FaceDetection[]> {
  const input = prepareYoloFaceInput(image);
  const inputName = session.inputs[0]?.name ?? 'input';
  const outputName = session.outputs[0]?.name ?? '';
  const result = await session.run({
    [inputName]: new ort.Tensor('float32', input.tensor, inputDims(PREPROCESS)),
  });
  const output = result[outputName];
  const dims = output?.dims ?? [];
  if (output?.type !== 'float32' || dims.length !== 3 || dims[1] !== CHANNELS || !dims[2]) {
    throw new Error(
      `${session.id}: expected a float32 [1, 20, A] output, got ${output?.type} [${dims.join(', ')}]`,
    );
  }
  // Batch item 0: the first 20·A values.
  const raw = (output.data as Float32Array).subarray(0, CHANNELS * dims[2]);
  return nonMaxSuppression(decodeYoloFace(raw, { scoreThreshold, letterbox: input.letterbox }), iouThreshold);
}
