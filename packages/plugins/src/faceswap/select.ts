// Which target faces to swap (docs/models/face.md §8.2): all of them, one
// (largest, left-most, or the n-th from the left), or those that look like a reference face, with
// FaceFusion's distance: (1 − cosine similarity)/2, a match when below the threshold (0.3 ⇔ cos > 0.4).
import type { Point } from '@visage/inference';
import type { FivePoints } from './align.ts';

export interface AnalysedFace {
  box: [number, number, number, number];
  score: number;
  points: FivePoints;
  /** Where the five points came from. */
  landmarks: 'detector' | '2dfan4' | 'estimated';
  /** Weights for aligning the points (EYES_ONLY when the mouth corners are estimated). */
  alignWeights?: readonly number[];
  /** L2-normalised ArcFace embedding, computed only when selection needs it. */
  embedding?: Float32Array;
  /** Face mapping: the source photo (id) whose identity goes onto this face. */
  identity?: string;
  /** Video: the tracker's id for this face, stable from frame to frame (tracker.ts, temporal.ts). */
  trackId?: number;
  /** 2DFAN4's 68 points, when they refined this face (the mouth mask's outline). */
  landmarks68?: readonly Point[];
}

export type FaceSelection = 'all' | 'largest' | 'left-most' | 'index' | 'reference';

export interface SelectOptions {
  mode: FaceSelection;
  /** For 'index': position counting from the left, 0 first. */
  index?: number;
  /** Faces whose box's shorter side is below this (pixels) are ignored. */
  minFaceSize?: number;
  /** For 'reference': the reference identity (normalised) and the largest distance that matches. */
  reference?: Float32Array;
  referenceDistance?: number;
}

const area = (f: AnalysedFace) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);

/** FaceFusion's face distance: 0 for the same direction, 1 for opposite embeddings. */
export function faceDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`faceDistance: ${a.length}-d vs ${b.length}-d embeddings`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return (1 - dot) / 2;
}

export function selectFaces(faces: readonly AnalysedFace[], options: SelectOptions): AnalysedFace[] {
  const minSize = options.minFaceSize ?? 0;
  const candidates = faces.filter((f) => Math.min(f.box[2] - f.box[0], f.box[3] - f.box[1]) >= minSize);
  if (candidates.length === 0) return [];
  switch (options.mode) {
    case 'all':
      return candidates;
    case 'largest':
      return [candidates.reduce((best, f) => (area(f) > area(best) ? f : best))];
    case 'left-most':
      return [candidates.reduce((best, f) => (f.box[0] < best.box[0] ? f : best))];
    case 'index': {
      const fromLeft = [...candidates].sort((a, b) => a.box[0] - b.box[0]);
      const face = fromLeft[options.index ?? 0];
      return face ? [face] : [];
    }
    case 'reference': {
      const { reference, referenceDistance = 0.3 } = options;
      if (!reference) throw new Error('selectFaces: "reference" mode needs a reference embedding');
      return candidates.filter((f) => {
        if (!f.embedding) throw new Error('selectFaces: "reference" mode needs each face\'s embedding');
        return faceDistance(f.embedding, reference) < referenceDistance;
      });
    }
  }
}
