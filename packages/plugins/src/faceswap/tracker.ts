// Steadier landmarks across video frames: detectors place the five points a pixel or two differently
// on every frame, so the aligned crop — and the swapped face — shimmers ("temporal flicker",
// docs/models/face.md §8.3). Each face is followed from frame to frame by box overlap and its points
// are smoothed with a One-Euro filter, which holds still faces still and lets fast moves through.
// Each track has a stable `trackId`, the key of its colour and mask smoothing (temporal.ts).
import { iou } from '../face/nms.ts';
import { OneEuroFilter } from '../one-euro.ts';
import type { FivePoints } from './align.ts';
import type { AnalysedFace } from './select.ts';

/** A face matches a track when their boxes overlap at least this much. */
const MATCH_IOU = 0.3;
/** Tracks not seen for this many frames are dropped. */
const MAX_MISSED = 5;

interface Track {
  id: number;
  box: AnalysedFace['box'];
  filter: OneEuroFilter;
  missed: number;
}

export class FaceTracker {
  #tracks: Track[] = [];
  #nextId = 1;
  readonly #out = new Float64Array(10);

  /**
   * @param strength 0..1: 0 passes points through; higher lowers the filter's cutoff at rest
   *   (4 Hz → 0.4 Hz) and its speed coefficient β (0.3 → 0.095 px⁻¹) for steadier faces, at the cost
   *   of some lag on sudden moves (docs/models/face.md §8.3).
   */
  constructor(
    readonly strength: number,
    readonly fps: number,
  ) {}

  /** The faces with smoothed points and their track's `trackId` (new objects; the inputs are not changed). */
  smooth(faces: readonly AnalysedFace[], timestampMs: number): AnalysedFace[] {
    if (this.strength <= 0) return [...faces];
    const free = new Set(this.#tracks);
    const result = faces.map((face) => {
      let best: Track | undefined;
      let bestIou = MATCH_IOU;
      for (const track of free) {
        const overlap = iou(track.box, face.box);
        if (overlap >= bestIou) {
          best = track;
          bestIou = overlap;
        }
      }
      const track = best ?? this.#newTrack(face);
      free.delete(track);
      track.box = face.box;
      track.missed = 0;
      const raw = face.points.flat();
      const smoothed = track.filter.filter(raw, timestampMs / 1000, this.#out);
      const points = [0, 1, 2, 3, 4].map((k) => [smoothed[2 * k] as number, smoothed[2 * k + 1] as number]);
      return { ...face, points: points as unknown as FivePoints, trackId: track.id };
    });
    for (const track of free) track.missed++;
    this.#tracks = this.#tracks.filter((t) => t.missed <= MAX_MISSED);
    return result;
  }

  #newTrack(face: AnalysedFace): Track {
    const s = Math.min(1, this.strength);
    const track: Track = {
      id: this.#nextId++,
      box: face.box,
      // β shrinks too: a still face's detector jitter (≈ 1 px/frame) alone lifts the cutoff by
      // β·|ê| ≈ 2.5 Hz at β 0.3, whatever the strength, so without it strength barely steadied a
      // still shot. 1/√(1 + 9s) keeps a 180 px/s move within 3 px at the default 0.5 (§8.3).
      filter: new OneEuroFilter(10, {
        minCutoff: 4 / (1 + 9 * s),
        beta: 0.3 / Math.sqrt(1 + 9 * s),
        dCutoff: 1,
        frequency: this.fps,
      }),
      missed: 0,
    };
    this.#tracks.push(track);
    return track;
  }
}
