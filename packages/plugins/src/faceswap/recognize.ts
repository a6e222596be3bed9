// ArcFace w600k_r50: a 112² aligned crop → a 512-d identity embedding, L2-normalised so that
// the dot product of two embeddings is their cosine similarity. Crop size, template and
// normalisation are the catalog entry's `preprocess` (./models.ts).
import { type ModelSession, ort, type Picture, type RgbImage } from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { type AlignedFace, alignForModel, type FivePoints } from './align.ts';
import { FACESWAP_MODEL_SET } from './models.ts';

const PREPROCESS = FACESWAP_MODEL_SET.recognizer.preprocess;
export const ARCFACE_SIZE = PREPROCESS.size;

/**
 * The face aligned as ArcFace takes it: the entry's template, at its size, the image's edge
 * replicated past its border as FaceFusion does (docs/models/face.md §4.3).
 */
export function alignForRecognition(
  image: Picture,
  points: FivePoints,
  weights?: readonly number[],
): AlignedFace {
  return alignForModel(image, points, PREPROCESS, { weights, border: 'replicate' });
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

/**
 * ArcFace's raw output for a 112² aligned crop: FaceFusion's `embedding`, whose length varies from
 * face to face. {@link embedFace} normalises it.
 */
export async function rawEmbedding(session: ModelSession, crop: RgbImage): Promise<Float32Array> {
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
  return output.data as Float32Array;
}

/** The L2-normalised embedding (insightface's `normed_embedding`): dot products are cosine similarities. */
export async function embedFace(session: ModelSession, crop: RgbImage): Promise<Float32Array> {
  return l2Normalize(await rawEmbedding(session, crop));
}

/**
 * One identity from several source photos, as FaceFusion's `average_face_identity` feeds inswapper:
 * the mean of the **raw** embeddings, normalised (docs/models/face.md §4.5). A photo thus counts in
 * proportion to its embedding's length; with one photo it is just that photo's normed embedding.
 */
export function meanIdentity(rawEmbeddings: readonly Float32Array[]): Float32Array {
  const first = rawEmbeddings[0];
  if (!first) throw new Error('No source face to take an identity from');
  const sum = new Float32Array(first.length);
  for (const e of rawEmbeddings) {
    if (e.length !== sum.length)
      throw new Error(`Embeddings differ in length (${e.length} vs ${sum.length})`);
    for (let i = 0; i < e.length; i++) sum[i] = (sum[i] ?? 0) + (e[i] ?? 0);
  }
  return l2Normalize(sum);
}
