// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the decode loop are in bounds (lengths checked first)
// SCRFD face detector, insightface's `det_10g.onnx` (buffalo_l), the detector insightface, Deep-Live-Cam
// and ReActor use (docs/models/face.md §2.2). Follows insightface's model_zoo/scrfd.py, not FaceFusion's
// variant: top-left zero-padded letterbox to 640², RGB, (x − 127.5)/128, NCHW (the catalog entry's
// `preprocess`, ./models.ts). Nine outputs, by position:
// scores, boxes, keypoints for strides 8/16/32, 2 anchors per grid point, distance ("ltrb") encoding
// in stride units; scores are already probabilities. Only the 9-output model (with keypoints, 3 strides)
// is accepted: the 6-output one has no keypoints, and the swap aligns faces on the five points.
import { type Letterbox, letterbox, type ModelSession, ort, type Picture } from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { FACE_MODEL_SET } from './models.ts';
import { nonMaxSuppression } from './nms.ts';
import type { FaceDetection } from './types.ts';

/** The five points of SCRFD, YOLOFace and 68→5 (docs/models/face.md §1.3; subject's right = image left). */
export const FIVE_POINT_KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft'] as const;

const PREPROCESS = FACE_MODEL_SET.scrfd.preprocess;
/** The default input side (det_10g's H/W are dynamic). */
export const SCRFD_SIZE = PREPROCESS.size;
export const SCRFD_STRIDES = [8, 16, 32] as const;
const ANCHORS = 2;

/** The part of a letterbox needed to map points back: image = (input − pad) / scale. */
export type LetterboxGeometry = Pick<Letterbox, 'scale' | 'padX' | 'padY'>;
const IDENTITY: LetterboxGeometry = { scale: 1, padX: 0, padY: 0 };

export interface ScrfdOptions {
  /** Keep candidates with score ≥ this (insightface `det_thresh`). Default 0.5. */
  scoreThreshold?: number;
  /** NMS IoU (insightface `nms_thresh`). Default 0.4. */
  iouThreshold?: number;
  /** Square input side, a multiple of 32. Default: the model's fixed size if it declares one, else 640. */
  size?: number;
}

export interface ScrfdDecodeOptions {
  /** Square input side the outputs were computed at. */
  size: number;
  scoreThreshold: number;
  /** The letterbox that made the input; detections are mapped back through it. Default: input pixels. */
  letterbox?: LetterboxGeometry;
}

/**
 * The nine raw outputs (model order: scores s8,s16,s32, boxes s8,s16,s32, keypoints s8,s16,s32, each
 * the `[N, k]` rows of batch item 0) → detections above the threshold, before NMS. Pure.
 */
export function decodeScrfd(outputs: readonly Float32Array[], options: ScrfdDecodeOptions): FaceDetection[] {
  const { size, scoreThreshold } = options;
  const { scale, padX, padY } = options.letterbox ?? IDENTITY;
  if (outputs.length !== 9) throw new Error(`decodeScrfd: expected 9 outputs, got ${outputs.length}`);
  const found: FaceDetection[] = [];
  SCRFD_STRIDES.forEach((stride, s) => {
    const cells = Math.floor(size / stride);
    const rows = cells * cells * ANCHORS;
    const scores = outputs[s]!;
    const boxes = outputs[s + 3]!;
    const kps = outputs[s + 6]!;
    if (scores.length < rows || boxes.length < rows * 4 || kps.length < rows * 10) {
      throw new RangeError(
        `decodeScrfd: stride ${stride} at ${size}² needs ${rows} rows; got ${scores.length} scores, ` +
          `${boxes.length / 4} boxes, ${kps.length / 10} keypoint rows`,
      );
    }
    for (let r = 0; r < rows; r++) {
      const score = scores[r]!;
      if (!(score >= scoreThreshold)) continue;
      // Row r is anchor r % 2 of grid point r >> 1, row-major (y outer, x inner).
      const point = (r / ANCHORS) | 0;
      const cx = (point % cells) * stride;
      const cy = ((point / cells) | 0) * stride;
      const b = r * 4;
      // Input pixels → image pixels: (p − pad) / scale.
      const x1 = (cx - boxes[b]! * stride - padX) / scale;
      const y1 = (cy - boxes[b + 1]! * stride - padY) / scale;
      const x2 = (cx + boxes[b + 2]! * stride - padX) / scale;
      const y2 = (cy + boxes[b + 3]! * stride - padY) / scale;
      const keypoints: [number, number][] = [];
      for (let k = 0, o = r * 10; k < 5; k++, o += 2) {
        keypoints.push([(cx + kps[o]! * stride - padX) / scale, (cy + kps[o + 1]! * stride - padY) / scale]);
      }
      found.push({ box: [x1, y1, x2, y2], score, keypoints, keypointNames: FIVE_POINT_KEYPOINTS });
    }
  });
  return found;
}

/** The first `rows`·`width` values of an output shaped [rows, width] or [batch, rows, width]. */
function outputRows(tensor: ort.Tensor | undefined, rows: number, width: number, what: string) {
  if (!tensor) throw new Error(`${what}: output missing`);
  const dims = tensor.dims;
  const ok =
    (dims.length === 2 || dims.length === 3) &&
    dims.at(-1) === width &&
    dims.at(-2) === rows &&
    dims[0] !== 0;
  if (!ok || tensor.type !== 'float32') {
    throw new Error(`${what}: expected float32 [${rows}, ${width}], got ${tensor.type} [${dims.join(', ')}]`);
  }
  return (tensor.data as Float32Array).subarray(0, rows * width);
}

/** The model's fixed square input side, or undefined when H/W are dynamic. */
function declaredSize(session: ModelSession): number | undefined {
  const [, , h, w] = session.inputs[0]?.shape ?? [];
  if (typeof h === 'number' && typeof w === 'number' && h > 0) {
    if (h !== w)
      throw new Error(`${session.id}: only square SCRFD inputs are supported (model has ${w}×${h})`);
    return h;
  }
  return undefined;
}

/** Letterboxed, normalised [1,3,size,size] input (RGB, (x − 127.5)/128) and its geometry. */
export function prepareScrfdInput(image: Picture, size: number) {
  const boxed = letterbox(image, size, { position: 'top-left' });
  const tensor = inputValues(boxed.image, PREPROCESS);
  return { tensor, letterbox: boxed };
}

/** Faces in `image`, best first, in the image's pixel coordinates. */
export async function detectFacesScrfd(
  session: ModelSession,
  image: Picture,
  { scoreThreshold = 0.5, iouThreshold = 0.4, size }: ScrfdOptions = {},
): Promise<FaceDetection[]> {
  const outputs = session.outputs.map((o) => o.name);
  if (outputs.length !== 9) {
    throw new Error(
      `${session.id}: SCRFD with keypoints has 9 outputs (scores, boxes, keypoints × strides 8/16/32); ` +
        `this model has ${outputs.length}` +
        (outputs.length === 6 || outputs.length === 10 ? ' (a model without keypoints)' : ''),
    );
  }
  const fixed = declaredSize(session);
  if (size !== undefined && fixed !== undefined && size !== fixed) {
    throw new Error(`${session.id}: the model takes ${fixed}², not ${size}²`);
  }
  const side = size ?? fixed ?? SCRFD_SIZE;
  if (!Number.isInteger(side) || side <= 0 || side % 32 !== 0) {
    throw new RangeError(`SCRFD size must be a positive multiple of 32 (got ${side})`);
  }
  const input = prepareScrfdInput(image, side);
  const inputName = session.inputs[0]?.name ?? 'input.1';
  const result = await session.run({
    [inputName]: new ort.Tensor('float32', input.tensor, inputDims(PREPROCESS, side)),
  });
  const raw = outputs.map((name, i) => {
    const s = i % 3;
    const cells = Math.floor(side / SCRFD_STRIDES[s]!);
    return outputRows(
      result[name],
      cells * cells * ANCHORS,
      [1, 4, 10][(i / 3) | 0]!,
      `${session.id} "${name}"`,
    );
  });
  const found = decodeScrfd(raw, { size: side, scoreThreshold, letterbox: input.letterbox });
  return nonMaxSuppression(found, iouThreshold);
}
