// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Temporal smoothing of what a face swap measures per frame (docs/models/face.md §8.3): the colour
// statistics the swapped face is matched to, and the paste mask, per tracked face. On a still shot
// both wobble with sensor noise and model noise, and the pasted face flickers; a first-order
// low-pass at the landmark filter's resting cutoff (tracker.ts) holds them still. The crop is aligned
// to the face, so a crop-space mask value means the same place on the face from frame to frame.
import type { LabStats } from '@visage/inference';

/**
 * The low-pass cutoff for smoothing strength s ∈ (0, 1]: 4/(1 + 9s) Hz (4 → 0.4 Hz), the landmark
 * One-Euro filter's minimum cutoff (tracker.ts), so the colour and mask settle as fast as the points.
 */
export function smoothingCutoffHz(strength: number): number {
  return 4 / (1 + 9 * Math.min(1, strength));
}

/**
 * One step's weight of the new sample, α = 1/(1 + τ/Δt) with τ = 1/(2π·fc): the One-Euro filter's
 * discretisation (one-euro.ts) at its resting cutoff, i.e. that filter with β = 0.
 */
export function smoothingAlpha(strength: number, dtSeconds: number): number {
  const tau = 1 / (2 * Math.PI * smoothingCutoffHz(strength));
  return 1 / (1 + tau / dtSeconds);
}

/** A face unseen for longer than this (a cut, a pause, a face that left) starts afresh. */
const MAX_GAP_MS = 500;

/** What one tracked face smooths in one frame. */
export interface FaceTemporalState {
  readonly trackId: number;
  /** The target's colour statistics, smoothed (the first frame of a track passes through). */
  smoothColour(target: LabStats): LabStats;
  /**
   * A crop-space paste mask, smoothed: a new array, the input is not written. Where the mask is
   * exactly 0 (the mouth kept, an occluder) it stays 0 at once; elsewhere it follows the low-pass.
   * `channel` keeps separate masks apart (e.g. the swap's and the restorer's); a channel whose size
   * changes starts afresh.
   */
  smoothMask(mask: Float32Array, channel?: string): Float32Array;
}

interface ColourMemory {
  mean: Float64Array;
  std: Float64Array;
  timeMs: number;
}

interface MaskMemory {
  values: Float32Array;
  timeMs: number;
}

interface FaceMemory {
  /** The frame (timestamp) this face was last handed out for, and its state in that frame. */
  timeMs: number;
  state: FaceTemporalState | null;
  colour: ColourMemory | null;
  masks: Map<string, MaskMemory>;
  /** What was smoothed in the current frame: each at most once. */
  used: Set<string>;
}

const passThrough = (trackId: number): FaceTemporalState => ({
  trackId,
  smoothColour: (target) => target,
  smoothMask: (mask) => mask,
});

/**
 * Per-track temporal state for a sequence of frames. Per frame: `face(trackId, t)` for each face
 * rendered (with the tracker's trackId; asked again in the same frame, the same state), its state's
 * smoothColour and smoothMask (per channel) at most once each,
 * then `endFrame(the trackIds rendered)`: faces not rendered in a frame are forgotten, so a face that
 * comes back starts afresh, as does one after a gap over 0.5 s or a timestamp that went back.
 */
export class TemporalSmoother {
  readonly #faces = new Map<number, FaceMemory>();

  /**
   * @param strength 0..1, the job's `smoothing`: 0 passes everything through untouched.
   * @param fps the frame rate assumed for a step whose timestamps do not advance.
   */
  constructor(
    readonly strength: number,
    readonly fps: number,
  ) {
    if (!(strength >= 0 && strength <= 1))
      throw new RangeError(`TemporalSmoother: strength ${strength} is not 0..1`);
    if (!(fps > 0)) throw new RangeError(`TemporalSmoother: fps ${fps} must be > 0`);
  }

  /** The state of face `trackId` in the frame at `timestampMs`. */
  face(trackId: number, timestampMs: number): FaceTemporalState {
    if (this.strength === 0) return passThrough(trackId);
    if (!Number.isFinite(timestampMs))
      throw new RangeError(`TemporalSmoother.face: bad timestamp ${timestampMs}`);
    let memory = this.#faces.get(trackId);
    // Asked again within its frame: the same state (whose smoothing runs once per frame).
    if (memory?.state && timestampMs === memory.timeMs) return memory.state;
    if (memory && (timestampMs < memory.timeMs || timestampMs - memory.timeMs > MAX_GAP_MS))
      memory = undefined;
    if (!memory) {
      memory = { timeMs: timestampMs, state: null, colour: null, masks: new Map(), used: new Set() };
      this.#faces.set(trackId, memory);
    }
    memory.timeMs = timestampMs;
    memory.used.clear();
    const face = memory;
    const once = (what: string) => {
      if (face.used.has(what)) {
        throw new Error(`TemporalSmoother: ${what} of track ${trackId} smoothed twice in one frame`);
      }
      face.used.add(what);
    };
    face.state = {
      trackId,
      smoothColour: (target) => {
        once('colour');
        return this.#colour(face, target, timestampMs);
      },
      smoothMask: (mask, channel = 'paste') => {
        once(`mask "${channel}"`);
        return this.#mask(face, mask, channel, timestampMs);
      },
    };
    return face.state;
  }

  /** Ends a frame: faces not among `seenTrackIds` are forgotten. */
  endFrame(seenTrackIds: Iterable<number>): void {
    const seen = new Set(seenTrackIds);
    for (const id of this.#faces.keys()) if (!seen.has(id)) this.#faces.delete(id);
  }

  /** Tracks with state (for tests and diagnostics). */
  get size(): number {
    return this.#faces.size;
  }

  #alpha(previousMs: number, nowMs: number): number {
    const dt = nowMs > previousMs ? (nowMs - previousMs) / 1000 : 1 / this.fps;
    return smoothingAlpha(this.strength, dt);
  }

  #colour(face: FaceMemory, target: LabStats, timeMs: number): LabStats {
    const values = [...target.mean, ...target.std];
    if (values.length !== 6 || !values.every(Number.isFinite)) {
      throw new RangeError('smoothColour: the statistics must be three finite means and three finite σ');
    }
    const memory = face.colour;
    if (!memory) {
      face.colour = { mean: Float64Array.from(target.mean), std: Float64Array.from(target.std), timeMs };
      return target;
    }
    const a = this.#alpha(memory.timeMs, timeMs);
    for (let c = 0; c < 3; c++) {
      memory.mean[c] = memory.mean[c]! + a * (target.mean[c]! - memory.mean[c]!);
      memory.std[c] = memory.std[c]! + a * (target.std[c]! - memory.std[c]!);
    }
    memory.timeMs = timeMs;
    const [m0, m1, m2] = memory.mean as unknown as [number, number, number];
    const [s0, s1, s2] = memory.std as unknown as [number, number, number];
    return { mean: [m0, m1, m2], std: [s0, s1, s2] };
  }

  #mask(face: FaceMemory, mask: Float32Array, channel: string, timeMs: number): Float32Array {
    const memory = face.masks.get(channel);
    if (!memory || memory.values.length !== mask.length) {
      face.masks.set(channel, { values: Float32Array.from(mask), timeMs });
      return Float32Array.from(mask);
    }
    const a = this.#alpha(memory.timeMs, timeMs);
    const state = memory.values;
    const out = new Float32Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      const v = mask[i]!;
      const s = state[i]! + a * (v - state[i]!);
      state[i] = s;
      out[i] = v === 0 ? 0 : s;
    }
    memory.timeMs = timeMs;
    return out;
  }
}
