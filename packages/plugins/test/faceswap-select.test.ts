// Face selection and the inswapper source latent, against values worked out by hand.
import { describe, expect, it } from 'vitest';
import type { FivePoints } from '../src/faceswap/align.ts';
import { faceMask } from '../src/faceswap/masks.ts';
import { type AnalysedFace, faceDistance, selectFaces } from '../src/faceswap/select.ts';
import { sourceLatent } from '../src/faceswap/swap.ts';

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
  /** Where the middle row first reaches 0.5, interpolated linearly between pixels. */
  const halfway = (mask: Float32Array, size: number) => {
    const row = mask.subarray((size / 2) * size, (size / 2 + 1) * size);
    const i = row.findIndex((v) => v >= 0.5);
    const before = row[i - 1] ?? 0;
    return i - 1 + (0.5 - before) / ((row[i] ?? 1) - before);
  };

  // FaceFusion 3.8.1's face_masker.create_box_mask run verbatim on a 128² crop (OpenCV 4.6.0, numpy
  // 1.24, Debian python3-opencv): blur 0.3 → blur_amount 19, a 9 px zero strip, σ 4.75; the middle
  // row's 0.5 crossing is at px 8.4981 with no padding and 11.5 with 10 % padding (a 12 px strip:
  // the blur is centred on the padding line, not ramped inward from it).
  it("should put the 0.5 crossing where FaceFusion's box mask has it, padding or not", () => {
    expect(halfway(faceMask(128, { maskBlur: 0.3, maskPadding: [0, 0, 0, 0] }), 128)).toBeCloseTo(8.4981, 3);
    expect(halfway(faceMask(128, { maskBlur: 0.3, maskPadding: [10, 10, 10, 10] }), 128)).toBeCloseTo(
      11.5,
      3,
    );
    // 512² restore crop at blur 0.3: a 38 px strip, σ 19 → 37.4995.
    expect(halfway(faceMask(512, { maskBlur: 0.3, maskPadding: [0, 0, 0, 0] }), 512)).toBeCloseTo(37.4995, 3);
    // 25 % padding and blur 0.6: blur_amount 38, strip max(19, 32) = 32, σ 9.5 → 31.5085.
    expect(halfway(faceMask(128, { maskBlur: 0.6, maskPadding: [25, 25, 25, 25] }), 128)).toBeCloseTo(
      31.5085,
      3,
    );
  });

  it("should have FaceFusion's values across the edge, not 0 at the border", () => {
    const mask = faceMask(128, { maskBlur: 0.3, maskPadding: [10, 10, 10, 10] });
    const row = 64 * 128;
    // create_box_mask's middle row at px 0, 8, 12, 20 and the corner (same run as above).
    expect(mask[row]).toBeCloseTo(0.0152475, 5);
    expect(mask[row + 8]).toBeCloseTo(0.2301835, 5);
    expect(mask[row + 12]).toBeCloseTo(0.5419955, 5);
    expect(mask[row + 20]).toBeCloseTo(0.9635147, 5);
    expect(mask[0]).toBeCloseTo(0.0002324866, 6);
    expect(mask[row + 64]).toBe(1);
    // Blur 0: blur_amount 0, a 1 px zero strip and no blur, a hard edge.
    const hard = faceMask(128, { maskBlur: 0, maskPadding: [0, 0, 0, 0] });
    expect([hard[row], hard[row + 1], hard[row + 127]]).toEqual([0, 1, 0]);
  });
});
