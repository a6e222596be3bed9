// ArcFace w600k_r50: a 112² aligned crop → a 512-d identity embedding, L2-normalised so that
// the dot product of two embeddings is their cosine similarity. Crop size, template and
// normalisation are the catalog entry's `preprocess` (./models.ts).
import { type ModelSession, ort, type RgbImage } from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { type AlignedFace, alignForModel, type FivePoints } from './align.ts';
import { FACESWAP_MODEL_SET } from './models.ts';

const PREPROCESS = FACESWAP_MODEL_SET.recognizer.preprocess;
export const ARCFACE_SIZE = PREPROCESS.size;

/** The face aligned as ArcFace takes it: the entry's template, at its size. */
export function alignForRecognition(
  image: RgbImage,
  points: FivePoints,
  weights?: readonly number[],
): AlignedFace {
  return alignForModel(image, points, PREPROCESS, { weights });
}

export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] ?? 0) ** 2;
  const norm = Math.sqrt(sum);
  if (!(norm > 0)) throw new Error('Cannot normalise a zero embedding');
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) / norm;
  return out;
}

export async function embedFace(session: ModelSession, crop: RgbImage): Promise<Float32Array> {
  if (crop.width !== ARCFACE_SIZE || crop.height !== ARCFACE_SIZE) {
    throw new Error(`ArcFace needs a ${ARCFACE_SIZE}² aligned crop, got ${crop.width}×${crop.height}`);
  }
  // The input is "input.1" in insightface's export and "input" in FaceFusion's: take what the model declares.
  const name = session.inputs[0]?.name ?? 'input';
  const outputs = await session.run({
    [name]: new ort.Tensor('float32', inputValues(crop, PREPROCESS), inputDims(PREPROCESS)),
  });
  const [output] = Object.values(outputs);
  if (!output) throw new Error('ArcFace returned no output');
  return l2Normalize(output.data as Float32Array);
}

/** One identity from several source photos: the normalised mean of their normalised embeddings. */
export function meanIdentity(embeddings: readonly Float32Array[]): Float32Array {
  const first = embeddings[0];
  if (!first) throw new Error('No source face to take an identity from');
  const sum = new Float32Array(first.length);
  for (const e of embeddings) {
    if (e.length !== sum.length)
      throw new Error(`Embeddings differ in length (${e.length} vs ${sum.length})`);
    for (let i = 0; i < e.length; i++) sum[i] = (sum[i] ?? 0) + (e[i] ?? 0);
  }
  return l2Normalize(sum);
}
