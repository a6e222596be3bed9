// One entry point over the three detectors, and which catalog model each one runs.
import type { ModelSession, Picture } from '@visage/inference';
import type { Acquire, LeaseSet } from '../leases.ts';
import { detectFacesBlazeFace } from './blazeface.ts';
import { AUTO_DETECTORS, DETECTOR_MODELS, type DetectorKind } from './model-ids.ts';
import { detectFacesScrfd } from './scrfd.ts';
import type { FaceDetection } from './types.ts';
import { detectFacesYoloFace } from './yoloface.ts';

export { DETECTOR_MODELS, type DetectorKind } from './model-ids.ts';

export interface DetectOptions {
  scoreThreshold?: number;
}

/** Faces in `image`, best first, in its pixel coordinates. */
export function detectFaces(
  kind: DetectorKind,
  session: ModelSession,
  image: Picture,
  options: DetectOptions = {},
): Promise<FaceDetection[]> {
  switch (kind) {
    case 'scrfd':
      return detectFacesScrfd(session, image, options);
    case 'yoloface':
      return detectFacesYoloFace(session, image, options);
    case 'blazeface':
      return detectFacesBlazeFace(session, image, options);
  }
}

/**
 * The detector to run: the one asked for, or with "auto" the best installed (BlazeFace ships with
 * Visage, so there always is one).
 */
export async function acquireDetector(
  leases: LeaseSet,
  acquire: Acquire,
  choice: DetectorKind | 'auto',
): Promise<{ kind: DetectorKind; session: ModelSession }> {
  const kinds = choice === 'auto' ? AUTO_DETECTORS : [choice];
  for (const kind of kinds) {
    const id = DETECTOR_MODELS[kind];
    const session =
      choice === 'auto'
        ? await leases.ifInstalled(acquire, id, 'detector')
        : await leases.required(acquire, id, 'detector');
    if (session) return { kind, session };
  }
  throw new Error('No face detector is installed (BlazeFace should ship with Visage)');
}
