// Face selection and the inswapper source latent, against values worked out by hand.
import { describe, expect, it } from 'vitest';
import type { FivePoints } from '../src/faceswap/align.ts';
import { type AnalysedFace, faceDistance, selectFaces } from '../src/faceswap/select.ts';
import { faceMask, sourceLatent } from '../src/faceswap/swap.ts';

const NO_POINTS = [
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
] as unknown as FivePoints;

/** A unit embedding pointing along axis `axis` (or mixing two axes at `angle` degrees). */
function unit(axis: number, other = axis, angle = 0): Float32Array {
  const e = new Float32Array(512);
  const r = (angle * Math.PI) / 180;
  e[axis] = Math.cos(r);
  e[other] = (e[other] ?? 0) + Math.sin(r);
  return e;
}

const face = (x1: number, y1: number, size: number, embedding?: Float32Array): AnalysedFace => ({
  box: [x1, y1, x1 + size, y1 + size],
  score: 0.9,
  points: NO_POINTS,
  landmarks: 'detector',
  ...(embedding ? { embedding } : {}),
});

// Three faces: small on the left, big in the middle, medium on the right.
const left = face(10, 50, 40, unit(0, 1, 60)); // cos to the reference = 0.5 → distance 0.25
const middle = face(200, 40, 120, unit(0, 1, 80)); // cos 0.174 → distance 0.413
const right = face(400, 60, 80, unit(0)); // the reference itself → distance 0
const faces = [middle, right, left];

describe(selectFaces.name, () => {
  it('should pick all, the largest, the left-most, or the n-th from the left', () => {
    expect(selectFaces(faces, { mode: 'all' })).toEqual(faces);
    expect(selectFaces(faces, { mode: 'largest' })).toEqual([middle]);
    expect(selectFaces(faces, { mode: 'left-most' })).toEqual([left]);
    expect(selectFaces(faces, { mode: 'index', index: 0 })).toEqual([left]);
    expect(selectFaces(faces, { mode: 'index', index: 1 })).toEqual([middle]);
    expect(selectFaces(faces, { mode: 'index', index: 2 })).toEqual([right]);
    expect(selectFaces(faces, { mode: 'index', index: 3 })).toEqual([]);
  });

  it('should ignore faces below the minimum size before choosing', () => {
    expect(selectFaces(faces, { mode: 'left-most', minFaceSize: 50 })).toEqual([middle]);
    expect(selectFaces(faces, { mode: 'all', minFaceSize: 100 })).toEqual([middle]);
    expect(selectFaces(faces, { mode: 'largest', minFaceSize: 500 })).toEqual([]);
  });

  it("should match a reference with FaceFusion's distance (1 − cos)/2 under the threshold", () => {
    const reference = unit(0);
    expect(faceDistance(reference, unit(0, 1, 60))).toBeCloseTo(0.25, 6);
    expect(faceDistance(reference, unit(0, 1, 180))).toBeCloseTo(1, 6);
    // Default 0.3 ⇔ cos > 0.4: the right face (0) and the left one (0.25), not the middle (0.413).
    expect(selectFaces(faces, { mode: 'reference', reference, referenceDistance: 0.3 })).toEqual([
      right,
      left,
    ]);
    expect(selectFaces(faces, { mode: 'reference', reference, referenceDistance: 0.2 })).toEqual([right]);
    expect(selectFaces(faces, { mode: 'reference', reference, referenceDistance: 0.5 })).toHaveLength(3);
    expect(() => selectFaces([face(0, 0, 10)], { mode: 'reference', reference })).toThrow(/embedding/);
  });
});

describe(sourceLatent.name, () => {
  it('should be the normalised product of the embedding and emap', () => {
    // emap = 3·(permutation i → (i + 1) mod 512): latent_j = 3·e_{j−1}, then normalised.
    const emap = new Float32Array(512 * 512);
    for (let i = 0; i < 512; i++) emap[i * 512 + ((i + 1) % 512)] = 3;
    const e = new Float32Array(512);
    e[0] = 0.6;
    e[511] = 0.8;
    const latent = sourceLatent(e, emap);
    expect(latent[1]).toBeCloseTo(0.6, 6); // from e[0]
    expect(latent[0]).toBeCloseTo(0.8, 6); // from e[511], wrapped
    expect(latent.reduce((n, v) => n + Math.abs(v), 0)).toBeCloseTo(1.4, 5);

    // A general matrix, one entry by hand: emap[i][j] = (i − j)/512 and e = (1, 1, 0…)/√2 give
    // latent_j ∝ ((0 − j) + (1 − j))/512 = (1 − 2j)/512.
    const ramp = new Float32Array(512 * 512);
    for (let i = 0; i < 512; i++) for (let j = 0; j < 512; j++) ramp[i * 512 + j] = (i - j) / 512;
    const f = new Float32Array(512);
    f[0] = Math.SQRT1_2;
    f[1] = Math.SQRT1_2;
    const got = sourceLatent(f, ramp);
    const raw = Array.from({ length: 512 }, (_, j) => 1 - 2 * j);
    const norm = Math.hypot(...raw);
    for (const j of [0, 1, 100, 511]) expect(got[j]).toBeCloseTo((raw[j] as number) / norm, 6);
  });

  it('should refuse a wrong-sized embedding or emap', () => {
    expect(() => sourceLatent(new Float32Array(128), new Float32Array(512 * 512))).toThrow(RangeError);
    expect(() => sourceLatent(new Float32Array(512), new Float32Array(512))).toThrow(RangeError);
  });
});

describe(faceMask.name, () => {
  it("should feather FaceFusion's default blur 0.3 over 19 px of a 128² crop, with padding in percent", () => {
    const mask = faceMask(128, { maskBlur: 0.3, maskPadding: 0 });
    const row = 64 * 128;
    expect(mask[row]).toBe(0); // the edge
    expect(mask[row + 19]).toBeCloseTo(1, 6); // round(0.3 · 64) = 19 px in
    expect(mask[row + 9]).toBeGreaterThan(0.3);
    expect(mask[row + 9]).toBeLessThan(0.7);
    expect(mask[row + 64]).toBe(1);
    const padded = faceMask(128, { maskBlur: 0.3, maskPadding: 10 }); // 13 px zero strip
    expect(padded[row + 12]).toBe(0);
    expect(padded[row + 13 + 19]).toBeCloseTo(1, 6);
  });
});
