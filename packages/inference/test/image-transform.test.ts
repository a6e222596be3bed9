import { describe, expect, it } from 'vitest';
import {
  type Affine,
  ARCFACE_112_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  applyAffine,
  composeAffine,
  estimateSimilarity,
  FFHQ_512_TEMPLATE,
  invertAffine,
  similarityAffine,
} from '../src/image/index.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectMatrix(actual: Affine, expected: number[], tolerance: number) {
  expect(actual).toHaveLength(6);
  for (let i = 0; i < 6; i++)
    expect(Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0))).toBeLessThan(tolerance);
}

describe('estimateSimilarity (Umeyama)', () => {
  it('fits only the weighted points: weights 1,1,0,0,0 map the two eyes exactly', () => {
    // Source: the template with its nose and mouth moved down 9 px, so no similarity fits all five.
    const src = ARCFACE_112_TEMPLATE.map(([x, y], i) => [x, i < 2 ? y : y + 9]);
    const eyes = estimateSimilarity(src, ARCFACE_112_TEMPLATE, [1, 1, 0, 0, 0]);
    expectMatrix(eyes, [1, 0, 0, 0, 1, 0], 1e-9); // the eyes did not move: identity
    // Equal weights of any size are the unweighted fit.
    const plain = estimateSimilarity(src, ARCFACE_112_TEMPLATE);
    expectMatrix(estimateSimilarity(src, ARCFACE_112_TEMPLATE, [3, 3, 3, 3, 3]), [...plain], 1e-9);
    // …which trades the eyes against the moved points: the first eye lands 2 px or more off.
    const [x, y] = applyAffine(plain, src[0] as [number, number]);
    const [tx, ty] = ARCFACE_112_TEMPLATE[0] as [number, number];
    expect(Math.hypot(x - tx, y - ty)).toBeGreaterThan(2);
    expect(() => estimateSimilarity(src, ARCFACE_112_TEMPLATE, [1, 1])).toThrow(RangeError);
    expect(() => estimateSimilarity(src, ARCFACE_112_TEMPLATE, [0, 0, 0, 0, 0])).toThrow(/all 0/);
  });

  it('maps the ArcFace template onto itself with the identity', () => {
    const m = estimateSimilarity(ARCFACE_112_TEMPLATE, ARCFACE_112_TEMPLATE);
    expectMatrix(m, [1, 0, 0, 0, 1, 0], 1e-9);
  });

  it('recovers a known similarity: rotate 30°, scale 1.7, translate (12, −5)', () => {
    const t = Math.PI / 6;
    const p = 1.7 * Math.cos(t);
    const q = 1.7 * Math.sin(t);
    // x' = 1.7·R(30°)·x + (12, −5), written out by hand.
    const truth = [p, -q, 12, q, p, -5];
    const random = rng(7);
    const src = Array.from({ length: 20 }, () => [random() * 200 - 100, random() * 200 - 100]);
    const dst = src.map(([x = 0, y = 0]) => [p * x - q * y + 12, q * x + p * y - 5]);
    expectMatrix(estimateSimilarity(src, dst), truth, 1e-9);
  });

  it('is the least-squares fit when the points do not match exactly', () => {
    // Noisy targets: the fit must beat the true transform's own residual (it is the minimiser).
    const random = rng(11);
    const truth = similarityAffine(-12, 0.8, [0, 0], [30, 40]);
    const src = Array.from({ length: 12 }, () => [random() * 100, random() * 100]);
    const dst = src.map((pt) => applyAffine(truth, pt).map((v) => v + (random() - 0.5) * 4));
    const fit = estimateSimilarity(src, dst);
    const residual = (m: Affine) =>
      src.reduce((sum, pt, i) => {
        const [x, y] = applyAffine(m, pt);
        return sum + (x - (dst[i]?.[0] ?? 0)) ** 2 + (y - (dst[i]?.[1] ?? 0)) ** 2;
      }, 0);
    expect(residual(fit)).toBeLessThanOrEqual(residual(truth));
    expect(residual(fit)).toBeLessThan(residual(similarityAffine(-11, 0.8, [0, 0], [30, 40])));
  });

  it('never produces a reflection: a mirrored point set gives the hand-computed proper similarity', () => {
    // src (0,0), (2,0), (0,1) mirrored about the y axis. Centred, Σ conj(s)·d = −2 − 4/3 i and
    // Σ|s|² = 10/3, so scale·e^{iθ} = −0.6 − 0.4i → [[−0.6, 0.4], [−0.4, −0.6]] (det 0.52 > 0).
    const src = [
      [0, 0],
      [2, 0],
      [0, 1],
    ];
    const dst = src.map(([x = 0, y = 0]) => [-x, y]);
    const m = estimateSimilarity(src, dst);
    const [a = 0, b = 0, , c = 0, d = 0] = m;
    expect(a * d - b * c).toBeGreaterThan(0);
    expect(a).toBeCloseTo(-0.6, 12);
    expect(b).toBeCloseTo(0.4, 12);
    expect(c).toBeCloseTo(-0.4, 12);
    expect(d).toBeCloseTo(-0.6, 12);
    // Translation carries the source centroid (2/3, 1/3) onto the target centroid (−2/3, 1/3).
    const [cx, cy] = applyAffine(m, [2 / 3, 1 / 3]);
    expect(cx).toBeCloseTo(-2 / 3, 12);
    expect(cy).toBeCloseTo(1 / 3, 12);
  });

  it('rejects mismatched, too few or coincident points', () => {
    expect(() => estimateSimilarity([[0, 0]], [[1, 1]])).toThrow(/at least 2/);
    expect(() =>
      estimateSimilarity(
        [
          [0, 0],
          [1, 1],
        ],
        [[0, 0]],
      ),
    ).toThrow(/2 source points but 1/);
    expect(() =>
      estimateSimilarity(
        [
          [3, 3],
          [3, 3],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/coincide/);
  });
});

describe('affine helpers', () => {
  it('invertAffine(m) ∘ m is the identity', () => {
    const m = similarityAffine(30, 1.7, [5, 9], [12, -5]);
    expectMatrix(composeAffine(invertAffine(m), m), [1, 0, 0, 0, 1, 0], 1e-12);
    expectMatrix(composeAffine(m, invertAffine(m)), [1, 0, 0, 0, 1, 0], 1e-12);
    // A general (sheared) affine inverts too.
    const g = Float64Array.of(2, 0.5, 3, -1, 1.5, 7);
    expectMatrix(composeAffine(invertAffine(g), g), [1, 0, 0, 0, 1, 0], 1e-12);
  });

  it('applyAffine and composeAffine follow the [a, b, tx, c, d, ty] layout', () => {
    const m = Float64Array.of(1, 2, 3, 4, 5, 6);
    expect(applyAffine(m, [10, 20])).toEqual([1 * 10 + 2 * 20 + 3, 4 * 10 + 5 * 20 + 6]);
    const shift = Float64Array.of(1, 0, 100, 0, 1, 200);
    // shift ∘ m: apply m, then add (100, 200).
    expect(applyAffine(composeAffine(shift, m), [10, 20])).toEqual([153, 346]);
  });

  it('similarityAffine rotates about its centre like cv2.getRotationMatrix2D', () => {
    const m = similarityAffine(90, 2, [10, 10]);
    const [cx, cy] = applyAffine(m, [10, 10]);
    expect(cx).toBeCloseTo(10, 12);
    expect(cy).toBeCloseTo(10, 12);
    // +90° with y down sends a point right of the centre to above it, at twice the distance.
    const [x, y] = applyAffine(m, [11, 10]);
    expect(x).toBeCloseTo(10, 12);
    expect(y).toBeCloseTo(8, 12);
  });

  it('rejects a singular matrix', () => {
    expect(() => invertAffine(Float64Array.of(1, 2, 0, 2, 4, 0))).toThrow(/singular/);
  });
});

describe('templates', () => {
  it('arcface_128 is arcface_112 shifted 8 px right', () => {
    const m = estimateSimilarity(ARCFACE_112_TEMPLATE, ARCFACE_128_TEMPLATE);
    expectMatrix(m, [1, 0, 8, 0, 1, 0], 1e-9);
  });

  it('FFHQ 512 is a centred face: eyes level, mouth below the nose, symmetric about x ≈ 256', () => {
    const [eyeL, eyeR, nose, mouthL, mouthR] = FFHQ_512_TEMPLATE.map(([x, y]) => ({ x, y }));
    if (!eyeL || !eyeR || !nose || !mouthL || !mouthR) throw new Error('template has 5 points');
    expect(Math.abs(eyeL.y - eyeR.y)).toBeLessThan(1);
    expect(mouthL.y).toBeGreaterThan(nose.y);
    expect(Math.abs((eyeL.x + eyeR.x) / 2 - 256)).toBeLessThan(1);
    // ArcFace-112 → FFHQ-512 is a pure zoom + shift (no rotation), scale ≈ 3.5.
    const [a = 0, b = 0] = estimateSimilarity(ARCFACE_112_TEMPLATE, FFHQ_512_TEMPLATE);
    expect(Math.abs(b / a)).toBeLessThan(0.01);
    expect(a).toBeGreaterThan(3.3);
    expect(a).toBeLessThan(3.7);
  });
});
