// Landmark smoothing across frames: jitter damped, real moves followed, faces kept apart.
import { describe, expect, it } from 'vitest';
import type { FivePoints } from '../src/faceswap/align.ts';
import type { AnalysedFace } from '../src/faceswap/select.ts';
import { FaceTracker } from '../src/faceswap/tracker.ts';

/** A face whose five points all sit at (x, y) + their template offsets. */
function face(x: number, y: number): AnalysedFace {
  const offsets = [
    [-20, -10],
    [20, -10],
    [0, 5],
    [-15, 25],
    [15, 25],
  ];
  return {
    box: [x - 40, y - 40, x + 40, y + 50],
    score: 0.9,
    points: offsets.map(([dx, dy]) => [x + (dx ?? 0), y + (dy ?? 0)]) as unknown as FivePoints,
    landmarks: 'detector',
  };
}

const eyeX = (f: AnalysedFace | undefined) => f?.points[0][0] ?? Number.NaN;

describe(FaceTracker.name, () => {
  it('should pass points through with strength 0 and on a first sighting', () => {
    expect(new FaceTracker(0, 30).smooth([face(100, 100)], 0)).toEqual([face(100, 100)]);
    expect(new FaceTracker(0.8, 30).smooth([face(100, 100)], 0)).toEqual([{ ...face(100, 100), trackId: 1 }]);
  });

  it('should give each track a stable id, and a new id to a face that was lost', () => {
    const tracker = new FaceTracker(0.5, 30);
    const ids = (faces: AnalysedFace[], t: number) => tracker.smooth(faces, t).map((f) => f.trackId);
    expect(ids([face(100, 100), face(400, 100)], 0)).toEqual([1, 2]);
    expect(ids([face(402, 101), face(99, 100)], 33)).toEqual([2, 1]);
    // The left face leaves for 6 frames (more than the 5 a track waits): it comes back as track 3.
    for (let i = 2; i < 8; i++) expect(ids([face(400, 100)], i * 33)).toEqual([2]);
    expect(ids([face(400, 100), face(100, 100)], 8 * 33)).toEqual([2, 3]);
  });

  it('should damp ±1.5 px jitter of a still face to a fraction of it', () => {
    const tracker = new FaceTracker(0.5, 30);
    const errors: number[] = [];
    for (let i = 0; i < 60; i++) {
      const jitter = i % 2 === 0 ? 1.5 : -1.5;
      const [out] = tracker.smooth([face(100 + jitter, 100)], (i * 1000) / 30);
      if (i >= 30) errors.push(Math.abs(eyeX(out) - 80)); // 100 − 20: where the eye really is
    }
    expect(Math.max(...errors)).toBeLessThan(0.5);
  });

  it('should follow a real move within a few frames', () => {
    const tracker = new FaceTracker(0.5, 30);
    for (let i = 0; i < 10; i++) tracker.smooth([face(100, 100)], (i * 1000) / 30);
    let out: AnalysedFace | undefined;
    for (let i = 10; i < 20; i++) [out] = tracker.smooth([face(100 + (i - 9) * 6, 100)], (i * 1000) / 30);
    // After 10 frames moving 6 px/frame (180 px/s) the smoothed eye lags by less than 3 px.
    expect(Math.abs(eyeX(out) - (100 + 60 - 20))).toBeLessThan(3);
  });

  it('should keep two faces on their own tracks', () => {
    const tracker = new FaceTracker(0.9, 30);
    tracker.smooth([face(100, 100), face(400, 100)], 0);
    // Listed in the other order on the next frame: each still matches its own track.
    const [right, left] = tracker.smooth([face(401, 100), face(101, 100)], 33);
    expect(eyeX(right)).toBeGreaterThan(380);
    expect(eyeX(left)).toBeLessThan(82);
  });
});
