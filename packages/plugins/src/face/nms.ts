import type { FaceDetection } from './types.ts';

export function iou(a: FaceDetection['box'], b: FaceDetection['box']): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Non-maximum suppression: keeps the best-scoring box of every group overlapping more than `threshold`. */
export function nonMaxSuppression<T extends Pick<FaceDetection, 'box' | 'score'>>(
  detections: T[],
  threshold: number,
): T[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => iou(k.box, candidate.box) <= threshold)) kept.push(candidate);
  }
  return kept;
}
