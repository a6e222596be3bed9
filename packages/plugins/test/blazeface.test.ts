// The real BlazeFace model (from the npm package) on the real astronaut photo.
import { createSession, decodeImage } from '@visage/inference';
import { ASTRONAUT } from '@visage/inference/testing';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BLAZEFACE_MODEL_PATH, decodeBlazeFaceHead, detectFacesBlazeFace } from '../src/face/blazeface.ts';
import { iou, nonMaxSuppression } from '../src/face/nms.ts';

const quiet = { warn: () => undefined, debug: () => undefined };

// Measured once by looking at the 512×512 photo (a 3× enlarged crop of the face):
const MEASURED = {
  face: { x1: 182, y1: 83, x2: 270, y2: 183 }, // cheek to cheek, hairline to chin
  rightEye: [203, 102], // the subject's right eye, on the image's left
  leftEye: [247, 103],
  nose: [225, 128],
  mouth: [225, 147],
} as const;

const distance = (a: readonly number[], b: readonly number[]) =>
  Math.hypot((a[0] ?? 0) - (b[0] ?? 0), (a[1] ?? 0) - (b[1] ?? 0));

describe('BlazeFace on astronaut.png', () => {
  it('should find exactly one face, over the face, with its keypoints in place', async () => {
    const session = await createSession(BLAZEFACE_MODEL_PATH, {
      id: 'blazeface',
      providers: ['cpu'],
      log: quiet,
    });
    const image = await decodeImage(ASTRONAUT);
    const faces = await detectFacesBlazeFace(session, image);
    expect(faces).toHaveLength(1);
    const [face] = faces;
    if (!face) throw new Error('no face');
    expect(face.score).toBeGreaterThan(0.85);
    const [x1, y1, x2, y2] = face.box;
    // The box covers the measured face and stays near it (within 25 px on every side).
    expect(x1).toBeLessThan(MEASURED.face.x1 + 10);
    expect(x2).toBeGreaterThan(MEASURED.face.x2 - 10);
    expect(y2).toBeGreaterThan(MEASURED.face.y2 - 15);
    expect(x1).toBeGreaterThan(MEASURED.face.x1 - 25);
    expect(x2).toBeLessThan(MEASURED.face.x2 + 25);
    expect(y1).toBeGreaterThan(MEASURED.face.y1 - 40); // BlazeFace boxes reach into the hair
    expect(y2).toBeLessThan(MEASURED.face.y2 + 25);
    const named = Object.fromEntries(
      face.keypointNames.map((name, i) => [name, face.keypoints[i] ?? [0, 0]]),
    );
    expect(distance(named.rightEye ?? [], MEASURED.rightEye)).toBeLessThan(10);
    expect(distance(named.leftEye ?? [], MEASURED.leftEye)).toBeLessThan(10);
    expect(distance(named.nose ?? [], MEASURED.nose)).toBeLessThan(12);
    expect(distance(named.mouth ?? [], MEASURED.mouth)).toBeLessThan(12);
    await session.release();
  });

  it('should find no face in a flat grey image', async () => {
    const session = await createSession(BLAZEFACE_MODEL_PATH, {
      id: 'blazeface',
      providers: ['cpu'],
      log: quiet,
    });
    const grey = {
      width: 200,
      height: 100,
      channels: 3 as const,
      data: new Uint8Array(200 * 100 * 3).fill(128),
    };
    expect(await detectFacesBlazeFace(session, grey)).toEqual([]);
    await session.release();
  });
});

describe('BlazeFace on wide group pictures', () => {
  const session = () =>
    createSession(BLAZEFACE_MODEL_PATH, { id: 'blazeface', providers: ['cpu'], log: quiet });
  const sideBySide = async (copies: number, vertical = false) => {
    const png = await sharp({
      create: {
        width: vertical ? 512 : 512 * copies,
        height: vertical ? 512 * copies : 512,
        channels: 3,
        background: '#000',
      },
    })
      .composite(
        Array.from({ length: copies }, (_, i) => ({
          input: ASTRONAUT,
          left: vertical ? 0 : 512 * i,
          top: vertical ? 512 * i : 0,
        })),
      )
      .png()
      .toBuffer();
    return decodeImage(new Uint8Array(png));
  };

  it('should find both faces of two copies side by side, each where the single photo has it', async () => {
    const s = await session();
    const [single] = await detectFacesBlazeFace(s, await decodeImage(ASTRONAUT));
    if (!single) throw new Error('no face on the single photo');
    // Letterboxed whole, each face is ~12 px wide at 128²: too small for the short-range model.
    const faces = await detectFacesBlazeFace(s, await sideBySide(2));
    expect(faces).toHaveLength(2);
    const [left, right] = [...faces].sort((a, b) => a.box[0] - b.box[0]);
    for (const [face, dx] of [
      [left, 0],
      [right, 512],
    ] as const) {
      if (!face) throw new Error('missing face');
      expect(
        iou(face.box, [single.box[0] + dx, single.box[1], single.box[2] + dx, single.box[3]]),
      ).toBeGreaterThan(0.8);
      expect(
        distance(face.keypoints[0] ?? [], [MEASURED.rightEye[0] + dx, MEASURED.rightEye[1]]),
      ).toBeLessThan(6);
    }
  });

  it('should find three faces stacked vertically and never one twice', async () => {
    const faces = await detectFacesBlazeFace(await session(), await sideBySide(3, true));
    expect(faces.map((f) => Math.floor((f.box[1] + f.box[3]) / 2 / 512)).sort()).toEqual([0, 1, 2]);
  });
});

describe(decodeBlazeFaceHead.name, () => {
  it('should place a box on its anchor: cell (3, 5) of the 8×8 head, anchor 4', () => {
    const cells = 8;
    const perCell = 6;
    const index = (5 * cells + 3) * perCell + 4;
    const scores = new Float32Array(cells * cells * perCell).fill(-10);
    const boxes = new Float32Array(cells * cells * perCell * 16);
    scores[index] = 2; // sigmoid(2) ≈ 0.881
    boxes.set([1, -2, 20, 30, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0], index * 16);
    const [face, ...rest] = decodeBlazeFaceHead(scores, boxes, cells, perCell, 0.5);
    expect(rest).toEqual([]);
    // Anchor centre: ((3 + 0.5)/8·128, (5 + 0.5)/8·128) = (56, 88); box centre (57, 86), 20×30.
    expect(face?.box).toEqual([47, 71, 67, 101]);
    expect(face?.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(face?.keypoints[0]).toEqual([56, 88]);
    expect(face?.keypoints[1]).toEqual([60, 92]);
  });
});

describe(nonMaxSuppression.name, () => {
  it('should keep the best of overlapping boxes and every separate one', () => {
    const a = { box: [0, 0, 10, 10] as [number, number, number, number], score: 0.9 };
    const b = { box: [1, 1, 11, 11] as [number, number, number, number], score: 0.8 };
    const c = { box: [50, 50, 60, 60] as [number, number, number, number], score: 0.7 };
    expect(iou(a.box, b.box)).toBeCloseTo(81 / 119, 6);
    expect(nonMaxSuppression([b, c, a], 0.3)).toEqual([a, c]);
  });
});
