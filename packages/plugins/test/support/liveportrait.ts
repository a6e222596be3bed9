// Test support for portrait animation: the LivePortrait fixture models, plus 2d106det, which a
// portrait animation requires (docs/models/liveportrait.md §5.3).
import type { FixtureModelSpec } from '@visage/inference/testing';
import { LP_FIXTURE_SPECS as NETWORKS } from '../../src/testing/index.ts';

/**
 * 2d106det's `fc1` as a fixed face in its 192² crop, in the model's [−1, 1] units (crop pixel =
 * (v + 1)·96): every point at the centre but four extremes at ±0.6 (so the face frame's box is ±0.6
 * about the crop centre), the eye groups [33,35,40,39] / [87,89,94,93] at (∓0.3, −0.2) and the lip
 * points 52, 61 at (0, 0.3): an upright face. The crop is 1.5·max(w, h) of the detector box b around
 * its centre, so in the image these points span 1.2·0.75 = 0.9·b about b's centre.
 */
export function face106Values(): number[] {
  const points = Array.from({ length: 106 }, (): [number, number] => [0, 0]);
  const set = (indices: number[], p: [number, number]) => {
    for (const i of indices) points[i] = p;
  };
  set([1], [-0.6, 0]);
  set([2], [0.6, 0]);
  set([3], [0, -0.6]);
  set([4], [0, 0.6]);
  set([33, 35, 40, 39], [-0.3, -0.2]);
  set([87, 89, 94, 93], [0.3, -0.2]);
  set([52, 61], [0, 0.3]);
  return points.flat();
}

export const LANDMARK106_FIXTURE: FixtureModelSpec = {
  inputs: [{ name: 'data', dims: [1, 3, 192, 192] }],
  outputs: [{ name: 'fc1', dims: [1, 212], values: face106Values() }],
};

export const LP_FIXTURE_SPECS = { ...NETWORKS, '2d106det': LANDMARK106_FIXTURE };
