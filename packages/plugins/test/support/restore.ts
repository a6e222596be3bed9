// Test support for the face restorers (restore.test.ts, restore-models.test.ts): the astronaut's five
// points, frame comparisons that stay fast on whole frames, and a session that records its feeds.
import {
  applyAffine,
  FFHQ_512_TEMPLATE,
  type ModelSession,
  type ort,
  type Rect,
  type RgbImage,
  similarityAffine,
} from '@visage/inference';
import type { FivePoints } from '../../src/faceswap/align.ts';

export const quiet = { warn: () => undefined, debug: () => undefined };

// The astronaut's eyes are at about (203, 102) and (247, 103) (blazeface.test.ts): five points that are
// the FFHQ template moved by a known similarity onto them (44 px between the eyes, turned 2°).
export function facePoints(): FivePoints {
  const [re, le] = FFHQ_512_TEMPLATE as [readonly [number, number], readonly [number, number]];
  const scale = 44 / (le[0] - re[0]);
  const known = similarityAffine(2, scale);
  const [mx, my] = applyAffine(known, [(re[0] + le[0]) / 2, (re[1] + le[1]) / 2]);
  known[2] = (known[2] ?? 0) + 225 - mx;
  known[5] = (known[5] ?? 0) + 102.5 - my;
  return FFHQ_512_TEMPLATE.map((p) => applyAffine(known, p)) as unknown as FivePoints;
}

// A real copy: decodeImage's data is a Buffer, whose slice() is a view.
export const copy = (img: RgbImage): RgbImage => ({ ...img, data: new Uint8Array(img.data) });

/** Bytes that differ (a loop: toEqual on 786 432 bytes takes seconds). */
export function differing(a: RgbImage, b: RgbImage): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n + Math.abs(a.data.length - b.data.length);
}

/** Bytes that differ outside `rect`. */
export function changedOutside(a: RgbImage, b: RgbImage, rect: Rect): number {
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height) continue;
      for (let c = 0; c < a.channels; c++) {
        const i = (y * a.width + x) * a.channels + c;
        if (a.data[i] !== b.data[i]) n++;
      }
    }
  }
  return n;
}

/** Mean |a − b| over the frame pixels whose five-point hull box (eyes to mouth, ± 10 px) contains them. */
export function meanDiffOnFace(a: RgbImage, b: RgbImage, points: FivePoints): { mean: number; max: number } {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.floor(Math.min(...xs)) - 10;
  const x1 = Math.ceil(Math.max(...xs)) + 10;
  const y0 = Math.floor(Math.min(...ys)) - 10;
  const y1 = Math.ceil(Math.max(...ys)) + 10;
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * a.channels + c;
        const d = Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
        sum += d;
        max = Math.max(max, d);
        n++;
      }
    }
  }
  return { mean: sum / n, max };
}

/** Records every feed so a test can see what the model was given. */
export function recording(session: ModelSession): {
  session: ModelSession;
  feeds: Record<string, ort.Tensor>[];
} {
  const feeds: Record<string, ort.Tensor>[] = [];
  return {
    feeds,
    session: {
      ...session,
      run: (f) => {
        feeds.push(f);
        return session.run(f);
      },
    },
  };
}
