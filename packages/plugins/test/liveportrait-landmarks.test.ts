// LivePortrait's landmark models: 2d106det (106 points) and landmark.onnx (203 points). Crop matrices
// and decoders by hand, the input tensors on a flat image, the eye/lip ratios on synthetic points,
// and both runners end to end on fixture models with the real I/O on astronaut.png.
import {
  type Affine,
  affine,
  applyAffine,
  createSession,
  decodeImage,
  invertAffine,
  type ModelSession,
  type ort,
  type RgbImage,
} from '@visage/inference';
import { ASTRONAUT, buildFixtureModel, type FixtureOutput } from '@visage/inference/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Box,
  crop106Matrix,
  decode106,
  decode203,
  eyeRatios,
  LANDMARK203_CROP,
  landmarks106,
  landmarks203,
  lipRatio,
  prepare106Input,
  prepare203Input,
} from '../src/liveportrait/landmarks.ts';

const quiet = { warn: () => undefined, debug: () => undefined };

// Box (100, 50, 200, 178): 100×128, centre (150, 114).
// 2d106det: s = 192/(1.5·128) = 1; t = (96 − 150, 96 − 114) = (−54, −18).
// A 224² landmark.onnx crop around it: side 1.5·128 = 192, s = 224/192 = 7/6, centred on the box centre
// moved up by 0.1·192 = 19.2 → (150, 94.8); t = (112 − 175, 112 − 110.6) = (−63, 1.4).
const BOX: Box = [100, 50, 200, 178];
const BOX_CROP: Affine = affine(7 / 6, 0, -63, 0, 7 / 6, 1.4);
// The face in astronaut.png as the real BlazeFace measured it: 95×94, centre (224.5, 129); the same kind
// of crop around it: side 142.5, centre (224.5, 114.75).
const FACE: Box = [177, 82, 272, 176];
const FACE_S = 224 / 142.5;
const FACE_CROP: Affine = affine(FACE_S, 0, 112 - FACE_S * 224.5, 0, FACE_S, 112 - FACE_S * 114.75);

const close = (actual: readonly number[] | undefined, expected: readonly number[], digits = 9) => {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of expected.entries()) expect(actual?.[i]).toBeCloseTo(v, digits);
};

describe(crop106Matrix.name, () => {
  it('should scale the longer side ×1.5 to 192 px and put the box centre at (96, 96)', () => {
    close([...crop106Matrix(BOX)], [1, 0, -54, 0, 1, -18], 12);
    // 64×40 box, centre (42, 40): s = 192/(1.5·64) = 2, t = (96 − 84, 96 − 80) = (12, 16).
    close([...crop106Matrix([10, 20, 74, 60])], [2, 0, 12, 0, 2, 16], 12);
    close(applyAffine(crop106Matrix(FACE), [224.5, 129]), [96, 96], 9);
    // Scale from the longer side: 95 → 192/142.5.
    expect(crop106Matrix(FACE)[0]).toBeCloseTo(192 / 142.5, 12);
    expect(() => crop106Matrix([0, 0, Number.NaN, 10])).toThrow(/not finite/);
  });
});

describe(decode106.name, () => {
  it('should map (v + 1)·96 back through the inverse crop', () => {
    const raw = new Float32Array(212); // 0 → (96, 96) = crop centre
    raw.set([-1, -1], 2); // point 1 → crop (0, 0)
    raw.set([1, 0.5], 4); // point 2 → crop (192, 144)
    const points = decode106(raw, invertAffine(crop106Matrix(BOX)));
    expect(points).toHaveLength(106);
    close(points[0], [150, 114]); // the box centre
    close(points[1], [54, 18]);
    close(points[2], [246, 162]);
    close(points[105], [150, 114]);
    // s = 2: crop (96, 96) → (42, 40); crop (0, 0) → (−6, −8).
    const small = decode106(raw, invertAffine(crop106Matrix([10, 20, 74, 60])));
    close(small[0], [42, 40]);
    close(small[1], [-6, -8]);
  });

  it('should reject an output of the wrong size', () => {
    expect(() => decode106(new Float32Array(210), invertAffine(crop106Matrix(BOX)))).toThrow(/212/);
  });
});

describe('LANDMARK203_CROP', () => {
  it("should be human_landmark_runner's crop_image parameters (dsize 224, scale 1.5, vy −0.1, vx 0)", () => {
    expect(LANDMARK203_CROP).toEqual({ size: 224, scale: 1.5, vx: 0, vy: -0.1 });
  });
});

describe(decode203.name, () => {
  it('should map v·224 back through the inverse crop', () => {
    const raw = new Float32Array(406).fill(0.5); // → (112, 112) = crop centre
    raw.set([0, 0], 2); // point 1 → crop (0, 0)
    raw.set([1, 1], 4); // point 2 → crop (224, 224)
    const points = decode203(raw, invertAffine(BOX_CROP));
    expect(points).toHaveLength(203);
    close(points[0], [150, 94.8]); // the crop centre
    close(points[1], [54, -1.2]); // (0 + 63)·6/7, (0 − 1.4)·6/7
    close(points[2], [246, 190.8]); // (224 + 63)·6/7, (224 − 1.4)·6/7
    close(points[202], [150, 94.8]);
  });

  it('should follow a rotated crop', () => {
    // image (x, y) → crop (y, 224 − x): back, crop (u, v) → image (224 − v, u).
    const rotated = affine(0, 1, 0, -1, 0, 224);
    const raw = new Float32Array(406);
    raw.set([0.25, 0.75], 0); // crop (56, 168) → image (56, 56)
    raw.set([1, 0], 2); // crop (224, 0) → image (224, 224)
    const points = decode203(raw, invertAffine(rotated));
    close(points[0], [56, 56]);
    close(points[1], [224, 224]);
  });

  it('should reject an output of the wrong size', () => {
    expect(() => decode203(new Float32Array(428), invertAffine(BOX_CROP))).toThrow(/406/);
  });
});

describe('input tensors', () => {
  const flat = (): RgbImage => {
    const image = { width: 300, height: 300, channels: 3 as const, data: new Uint8Array(300 * 300 * 3) };
    for (let i = 0; i < image.data.length; i += 3) image.data.set([200, 100, 50], i);
    return image;
  };
  const at = (t: Float32Array, size: number, c: number, x: number, y: number) =>
    t[c * size * size + y * size + x];

  it('2d106det: should crop to 192², RGB 0..255 unnormalised, black outside the image', () => {
    const { tensor, matrix } = prepare106Input(flat(), BOX); // crop covers x 54..246, y 18..210: inside
    expect(tensor).toHaveLength(3 * 192 * 192);
    expect([...matrix]).toEqual([...crop106Matrix(BOX)]);
    expect([at(tensor, 192, 0, 0, 0), at(tensor, 192, 1, 96, 96), at(tensor, 192, 2, 191, 191)]).toEqual([
      200, 100, 50,
    ]);
    // Box (0, 0, 128, 128): crop x 0 is image x −32 → black; crop (96, 96) is (64, 64) → inside.
    const edge = prepare106Input(flat(), [0, 0, 128, 128]).tensor;
    expect(at(edge, 192, 0, 0, 96)).toBe(0);
    expect(at(edge, 192, 0, 96, 96)).toBe(200);
  });

  it('landmark.onnx: should crop to 224² under the given matrix, RGB /255, black outside', () => {
    const tensor = prepare203Input(flat(), BOX_CROP); // x 54..246, y −1.2..190.8
    expect(tensor).toHaveLength(3 * 224 * 224);
    expect([
      at(tensor, 224, 0, 112, 112),
      at(tensor, 224, 1, 112, 112),
      at(tensor, 224, 2, 223, 223),
    ]).toEqual([Math.fround(200 / 255), Math.fround(100 / 255), Math.fround(50 / 255)]);
    // Row 0 is image y −1.2 (outside, black); row 2 is y 0.51 (inside).
    expect(at(tensor, 224, 0, 112, 0)).toBe(0);
    expect(at(tensor, 224, 0, 112, 2)).toBe(Math.fround(200 / 255));
  });
});

describe('eye and lip ratios', () => {
  // 203 points at (500, 500) except the ones the ratios read.
  const synthetic = (): [number, number][] => {
    const points = Array.from({ length: 203 }, () => [500, 500] as [number, number]);
    points[0] = [10, 20]; // left eye corners: width 12
    points[12] = [22, 20];
    points[6] = [16, 18.5]; // left eyelids: opening 3
    points[18] = [16, 21.5];
    points[24] = [40, 20]; // right eye corners: (8, 6) apart → width 10
    points[36] = [48, 26];
    points[30] = [44, 21]; // right eyelids: (3, 4) apart → opening 5
    points[42] = [47, 25];
    points[48] = [20, 50]; // mouth corners: width 24
    points[66] = [44, 50];
    points[90] = [32, 46]; // lips: opening 6
    points[102] = [32, 52];
    return points;
  };

  it('should divide the openings by the widths (+1e-6)', () => {
    const [left, right] = eyeRatios(synthetic());
    expect(left).toBe(3 / (12 + 1e-6));
    expect(left).toBeCloseTo(0.25, 6);
    expect(right).toBe(5 / (10 + 1e-6));
    expect(right).toBeCloseTo(0.5, 6);
    expect(lipRatio(synthetic())).toBe(6 / (24 + 1e-6));
  });

  it('should give 0 for a closed eye and stay finite for a zero width', () => {
    const points = synthetic();
    points[18] = points[6] as [number, number];
    points[66] = points[48] as [number, number];
    expect(eyeRatios(points)[0]).toBe(0);
    expect(lipRatio(points)).toBeCloseTo(6 / 1e-6, 0);
  });

  it('should reject a point set that is not the 203 points', () => {
    const points106 = synthetic().slice(0, 106);
    expect(() => eyeRatios(points106)).toThrow(/203/);
    expect(() => lipRatio(points106)).toThrow(/203/);
  });
});

// ── end to end on fixture models ──────────────────────────────────────────────────────────────────

interface Call {
  feeds: Record<string, ort.Tensor>;
  outputs: Record<string, ort.Tensor>;
}

/** The session with every run's feeds and outputs recorded. */
function recording(session: ModelSession): { session: ModelSession; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    session: {
      ...session,
      run: async (feeds) => {
        const outputs = await session.run(feeds);
        calls.push({ feeds, outputs });
        return outputs;
      },
    },
  };
}

const fixture = (id: string, input: { name: string; size: number }, outputs: FixtureOutput[]) =>
  createSession(
    buildFixtureModel({ inputs: [{ name: input.name, dims: [1, 3, input.size, input.size] }], outputs }),
    { id, providers: ['cpu'], log: quiet },
  );

/** The fixture's value i of output #o without its input term: sin((i + 1)·0.7 + o)·0.5 (fixture.ts). */
const pattern = (i: number, o: number) => Math.fround(Math.sin((i + 1) * 0.7 + o) * 0.5);
const mean = (values: Float32Array) => values.reduce((sum, v) => sum + v, 0) / values.length;
const max = (values: Float32Array) => values.reduce((a, v) => Math.max(a, v), -Infinity);
const data = (t: ort.Tensor | undefined) => t?.data as Float32Array;

const LP_OUTPUTS: FixtureOutput[] = [
  { name: 'output', dims: [1, 214] },
  { name: '853', dims: [1, 262] },
  { name: '856', dims: [1, 406] },
];

describe('2d106det on a fixture model with its I/O', () => {
  let image: RgbImage;
  beforeAll(async () => {
    image = await decodeImage(ASTRONAUT);
  });

  it('should feed `data` [1,3,192,192] unnormalised and decode `fc1` through the crop', async () => {
    const model = await fixture('2d106det-fixture', { name: 'data', size: 192 }, [
      { name: 'fc1', dims: [1, 212] },
    ]);
    const { session, calls } = recording(model);
    const points = await landmarks106(session, image, FACE);

    expect(calls).toHaveLength(1);
    const { feeds, outputs } = calls[0] as Call;
    expect(Object.keys(feeds)).toEqual(['data']);
    expect(feeds.data?.type).toBe('float32');
    expect(feeds.data?.dims).toEqual([1, 3, 192, 192]);
    const input = data(feeds.data);
    expect(input).toEqual(prepare106Input(image, FACE).tensor);
    expect(max(input)).toBeGreaterThan(1); // 0..255, not /255
    expect(max(input)).toBeLessThanOrEqual(255);

    const raw = data(outputs.fc1);
    expect(points).toEqual(decode106(raw, invertAffine(crop106Matrix(FACE))));

    // Independently of the decoder: the fixture's fc1 is pattern + the input mean m, so point p is the
    // box centre + (pattern + m)·96/s with s = 192/(1.5·95), i.e. + (pattern + m)·71.25.
    const m = mean(input);
    expect(points).toHaveLength(106);
    points.forEach((p, i) => {
      expect(Math.abs(p[0] - (224.5 + (pattern(2 * i, 0) + m) * 71.25))).toBeLessThan(0.02);
      expect(Math.abs(p[1] - (129 + (pattern(2 * i + 1, 0) + m) * 71.25))).toBeLessThan(0.02);
    });
    await model.release();
  });

  it('should fall back to the first input and output when the names differ', async () => {
    const model = await fixture('2d106det-renamed', { name: 'input.1', size: 192 }, [
      { name: 'landmarks', dims: [1, 212] },
    ]);
    const { session, calls } = recording(model);
    const points = await landmarks106(session, image, FACE);
    expect(Object.keys(calls[0]?.feeds ?? {})).toEqual(['input.1']);
    expect(points).toEqual(decode106(data(calls[0]?.outputs.landmarks), invertAffine(crop106Matrix(FACE))));
    await model.release();
  });

  it('should reject an output of the wrong size', async () => {
    const model = await fixture('2d106det-wrong', { name: 'data', size: 192 }, [
      { name: 'fc1', dims: [1, 136] },
    ]);
    await expect(landmarks106(model, image, FACE)).rejects.toThrow(/212 values/);
    await model.release();
  });
});

describe('landmark.onnx on a fixture model with its I/O', () => {
  let image: RgbImage;
  beforeAll(async () => {
    image = await decodeImage(ASTRONAUT);
  });
  const crop = (): Affine => FACE_CROP;

  it('should feed `input` [1,3,224,224] /255 and decode the third output `856` through the crop', async () => {
    const model = await fixture('landmark-fixture', { name: 'input', size: 224 }, LP_OUTPUTS);
    const { session, calls } = recording(model);
    const points = await landmarks203(session, image, crop());

    expect(calls).toHaveLength(1);
    const { feeds, outputs } = calls[0] as Call;
    expect(Object.keys(feeds)).toEqual(['input']);
    expect(feeds.input?.type).toBe('float32');
    expect(feeds.input?.dims).toEqual([1, 3, 224, 224]);
    const input = data(feeds.input);
    expect(input).toEqual(prepare203Input(image, crop()));
    expect(max(input)).toBeLessThanOrEqual(1);
    expect(max(input)).toBeGreaterThan(0.5);
    expect(Object.keys(outputs).sort()).toEqual(['853', '856', 'output']);

    const raw = data(outputs['856']);
    expect(points).toEqual(decode203(raw, invertAffine(crop())));

    // Independently: 856 = pattern(·, 2) + m; crop side 1.5·95 = 142.5 centred on (224.5, 129 − 14.25);
    // crop pixel v·224 → image centre + (v·224 − 112)·142.5/224.
    const m = mean(input);
    expect(points).toHaveLength(203);
    const k = 142.5 / 224;
    points.forEach((p, i) => {
      expect(Math.abs(p[0] - (224.5 + ((pattern(2 * i, 2) + m) * 224 - 112) * k))).toBeLessThan(0.01);
      expect(Math.abs(p[1] - (114.75 + ((pattern(2 * i + 1, 2) + m) * 224 - 112) * k))).toBeLessThan(0.01);
    });
    await model.release();
  });

  it('should take `856` by name wherever it is, and the third output when no output has that name', async () => {
    const reordered = await fixture('landmark-reordered', { name: 'input', size: 224 }, [
      { name: '856', dims: [1, 406] },
      { name: 'output', dims: [1, 214] },
      { name: 'other', dims: [1, 406] },
    ]);
    const byName = recording(reordered);
    const points = await landmarks203(byName.session, image, crop());
    const outputs = byName.calls[0]?.outputs ?? {};
    expect(points).toEqual(decode203(data(outputs['856']), invertAffine(crop())));
    expect(points).not.toEqual(decode203(data(outputs.other), invertAffine(crop())));
    await reordered.release();

    const renamed = await fixture('landmark-renamed', { name: 'img', size: 224 }, [
      { name: 'a', dims: [1, 214] },
      { name: 'b', dims: [1, 262] },
      { name: 'c', dims: [1, 406] },
    ]);
    const byPosition = recording(renamed);
    const third = await landmarks203(byPosition.session, image, crop());
    expect(Object.keys(byPosition.calls[0]?.feeds ?? {})).toEqual(['img']);
    expect(third).toEqual(decode203(data(byPosition.calls[0]?.outputs.c), invertAffine(crop())));
    await renamed.release();
  });

  it('should crop with any similarity, e.g. a rotated one as crop.ts builds from the previous points', async () => {
    // FACE_CROP turned by 90° about the same centre (224.5, 114.75):
    // (x, y) → (s·(y − cy) + 112, −s·(x − cx) + 112).
    const model = await fixture('landmark-rotated', { name: 'input', size: 224 }, LP_OUTPUTS);
    const { session, calls } = recording(model);
    const s = 224 / 142.5;
    const rotated = affine(0, s, 112 - s * 114.75, -s, 0, 112 + s * 224.5);
    const points = await landmarks203(session, image, rotated);
    expect(data(calls[0]?.feeds.input)).toEqual(prepare203Input(image, rotated));
    expect(data(calls[0]?.feeds.input)).not.toEqual(prepare203Input(image, crop()));
    expect(points).toEqual(decode203(data(calls[0]?.outputs['856']), invertAffine(rotated)));
    // The crop centre still maps to the rectangle's centre.
    close(applyAffine(invertAffine(rotated), [112, 112]), [224.5, 114.75], 9);
    await model.release();
  });

  it('should reject a third output of the wrong size', async () => {
    const model = await fixture('landmark-wrong', { name: 'input', size: 224 }, [
      { name: 'output', dims: [1, 214] },
      { name: '853', dims: [1, 262] },
      { name: '856', dims: [1, 400] },
    ]);
    await expect(landmarks203(model, image, crop())).rejects.toThrow(/406 values/);
    await model.release();
  });
});
