import {
  ARCFACE_112_TEMPLATE,
  applyAffine,
  createSession,
  decodeImage,
  estimateSimilarity,
  type Point,
  similarityAffine,
} from '@visage/inference';
import { ASTRONAUT, buildFixtureModel } from '@visage/inference/testing';
import { describe, expect, it } from 'vitest';
import { BLAZEFACE_MODEL_PATH, detectFacesBlazeFace } from '../src/face/blazeface.ts';
import { alignFace, type FivePoints, fivePoints } from '../src/faceswap/align.ts';
import { alignForRecognition, embedFace, l2Normalize, meanIdentity } from '../src/faceswap/recognize.ts';

const quiet = { warn: () => undefined, debug: () => undefined };

describe(alignFace.name, () => {
  it('should put exact five points on the ArcFace template within 1 px', async () => {
    const image = await decodeImage(ASTRONAUT);
    // Five points that are the template moved by a known similarity (rotate 12°, ×2.1, shift).
    const known = similarityAffine(12, 2.1, [0, 0], [150, 60]);
    const points = ARCFACE_112_TEMPLATE.map((p) => applyAffine(known, p)) as unknown as FivePoints;
    const aligned = alignFace(image, points, ARCFACE_112_TEMPLATE, 112);
    expect([aligned.crop.width, aligned.crop.height]).toEqual([112, 112]);
    for (const eye of [0, 1]) {
      const [x, y] = applyAffine(aligned.matrix, points[eye] as Point);
      const [tx, ty] = ARCFACE_112_TEMPLATE[eye] as Point;
      expect(Math.hypot(x - tx, y - ty)).toBeLessThan(1);
    }
    expect(aligned.residual).toBeLessThan(1e-6);
  });

  // A least-squares fit over five points trades the eyes against BlazeFace's nose and mouth, which
  // sit a little differently from the template's: measured 3.4 px for the eyes here.
  it('should align the face BlazeFace finds on astronaut.png, eyes within 4 px of the template', async () => {
    const session = await createSession(BLAZEFACE_MODEL_PATH, {
      id: 'blazeface',
      providers: ['cpu'],
      log: quiet,
    });
    const image = await decodeImage(ASTRONAUT);
    const [face] = await detectFacesBlazeFace(session, image);
    if (!face) throw new Error('no face');
    const { points, estimated } = fivePoints(face);
    expect(estimated).toBe(true); // BlazeFace has no mouth corners
    const aligned = alignFace(image, points, ARCFACE_112_TEMPLATE, 112);
    for (const eye of [0, 1]) {
      const [x, y] = applyAffine(aligned.matrix, points[eye] as Point);
      const [tx, ty] = ARCFACE_112_TEMPLATE[eye] as Point;
      expect(Math.hypot(x - tx, y - ty)).toBeLessThan(4);
    }
    expect(aligned.residual).toBeLessThan(4);
    await session.release();
  });

  it('should estimate mouth corners at the template proportions', () => {
    const face = {
      box: [0, 0, 1, 1] as [number, number, number, number],
      score: 1,
      keypointNames: ['rightEye', 'leftEye', 'nose', 'mouth'],
      keypoints: [
        [38.2946, 51.6963],
        [73.5318, 51.6963],
        [56, 72],
        [56, 92],
      ] as [number, number][],
    };
    const { points } = fivePoints(face);
    expect(points[3][0]).toBeCloseTo(56 - (70.7299 - 41.5493) / 2, 3);
    expect(points[4][0]).toBeCloseTo(56 + (70.7299 - 41.5493) / 2, 3);
    expect(points[3][1]).toBeCloseTo(92, 6);
    // And a template-shaped face maps onto the template almost exactly.
    const m = estimateSimilarity(points, ARCFACE_112_TEMPLATE);
    expect(Math.abs((m[0] ?? 0) - 1)).toBeLessThan(0.01);
  });
});

describe(alignForRecognition.name, () => {
  // FaceFusion's warp_face_by_face_landmark_5 warps with cv2.BORDER_REPLICATE: past the frame's edge
  // the crop repeats the edge pixel. On a one-colour frame every crop pixel is then that colour.
  it('should replicate the frame edge where the 112² crop runs past it (FaceFusion), unlike the black default', () => {
    const frame = { width: 120, height: 90, channels: 3 as const, data: new Uint8Array(120 * 90 * 3) };
    for (let i = 0; i < frame.data.length; i += 3) frame.data.set([200, 100, 50], i);
    // The template at ×0.8 with its centre near the top-left corner: a third of the crop lies outside.
    const points = ARCFACE_112_TEMPLATE.map(([x, y]) => [
      x * 0.8 - 20,
      y * 0.8 - 15,
    ]) as unknown as FivePoints;
    const { crop } = alignForRecognition(frame, points);
    let other = 0;
    for (let i = 0; i < crop.data.length; i += 3) {
      if (crop.data[i] !== 200 || crop.data[i + 1] !== 100 || crop.data[i + 2] !== 50) other++;
    }
    expect(other).toBe(0);
    // The swap's 128² crop keeps insightface's constant black border.
    const black = alignFace(frame, points, ARCFACE_112_TEMPLATE, 112).crop;
    expect(Array.from(black.data.subarray(0, 3))).toEqual([0, 0, 0]);
  });
});

describe('ArcFace embeddings', () => {
  // Fixture with w600k_r50's I/O (FaceFusion's export): input [1,3,112,112] → output [1,512].
  const arcfaceLike = buildFixtureModel({
    inputs: [{ name: 'input', dims: [1, 3, 112, 112] }],
    outputs: [{ name: 'output', dims: [1, 512] }],
  });

  it('should give a unit-length 512-d embedding that depends on the face', async () => {
    const session = await createSession(arcfaceLike, {
      id: 'arcface_w600k_r50',
      providers: ['cpu'],
      log: quiet,
    });
    const crop = (v: number) => ({
      width: 112,
      height: 112,
      channels: 3 as const,
      data: new Uint8Array(112 * 112 * 3).fill(v),
    });
    const a = await embedFace(session, crop(200));
    const b = await embedFace(session, crop(40));
    expect(a).toHaveLength(512);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    expect(a).not.toEqual(b);
    await expect(embedFace(session, { ...crop(0), width: 100, height: 100 })).rejects.toThrow(
      'needs a 112² aligned crop',
    );
    await session.release();
  });

  it('should average two identities into a unit vector halfway between them', () => {
    const a = l2Normalize(Float32Array.of(1, 0, 0));
    const b = l2Normalize(Float32Array.of(0, 1, 0));
    const mean = meanIdentity([a, b]);
    expect(mean[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(mean[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(mean[2]).toBe(0);
    expect(() => meanIdentity([])).toThrow('No source face');
    expect(() => meanIdentity([a, Float32Array.of(1, 0)])).toThrow('differ in length');
  });
});
