// The per-frame face swap: find faces (detector + optional 68-point refinement), pick the ones to
// replace, swap them with the source identity, optionally restore them. Sessions and the source
// latent stay warm between frames, so the same object serves image jobs, and through its
// framePipeline video jobs and the realtime path (`process(frame) → frame`).
import type { ModelSession, Picture, Point, RgbImage } from '@visage/inference';
import { type DetectorKind, detectFaces } from '../face/detect.ts';
import { faceAngle, landmarks68With2dfan4, refineWithLandmarks } from '../face/landmark68.ts';
import type { FaceDetection } from '../face/types.ts';
import { type FramePipeline, runFrame, type SequenceFrame } from '../frames/pipeline.ts';
import { PluginInputError } from '../types.ts';
import { EYES_ONLY, fivePoints } from './align.ts';
import {
  assignMappedFaces,
  type FaceMapEntry,
  type MappedPerson,
  mappedPeople,
  matchPickedFaces,
} from './face-map.ts';
import { alignForRecognition, l2Normalize, meanIdentity, rawEmbedding } from './recognize.ts';
import { type RestoreModel, restoreFace } from './restore.ts';
import { type AnalysedFace, type FaceSelection, type SelectOptions, selectFaces } from './select.ts';
import { type PasteOptions, type SwapResult, swapFace } from './swap.ts';
import type { LoadedSwapper } from './swapper.ts';
import { TemporalSmoother } from './temporal.ts';
import { FaceTracker } from './tracker.ts';

export interface FaceSwapModels {
  detector: { kind: DetectorKind; session: ModelSession };
  /** 2DFAN4, when installed and wanted. */
  landmarker: ModelSession | null;
  recognizer: ModelSession;
  /** The chosen swapper with its source-feed preparation (swapper.ts). */
  swapper: LoadedSwapper;
  restorer: { model: RestoreModel; session: ModelSession } | null;
  /** XSeg occlusion and BiSeNet region masks, when asked for. */
  occluder: ModelSession | null;
  parser: ModelSession | null;
}

export interface FaceSwapSettings {
  detectorScore: number;
  /** Which faces to replace; 'map' follows the face map (setFaceMap). */
  selection: Omit<SelectOptions, 'reference' | 'mode'> & { mode: FaceSelection | 'map' };
  paste: PasteOptions;
  /** 0..1; ignored without a restorer. */
  restoreStrength: number;
  restoreFidelity: number;
  /** Detect on every n-th frame of `process` and reuse those faces in between. */
  detectEvery: number;
  /** 0..1: smoothing of the landmarks from frame to frame in videos and `process` (0 = off). */
  smoothing: number;
}

/** Wall time per stage, in milliseconds, summed over every frame. */
export interface StageTimings {
  detect: number;
  landmarks: number;
  recognize: number;
  swap: number;
  restore: number;
}

export interface FaceSwapStats {
  frames: number;
  /** Frames in which no face to replace was found (passed through unchanged). */
  framesWithoutFace: number;
  facesFound: number;
  facesSwapped: number;
  /** Faces whose mouth corners were estimated (BlazeFace without 2DFAN4). */
  estimatedLandmarks: number;
  /** Face mapping: swaps per source photo id. */
  swapsByIdentity: Record<string, number>;
  timings: StageTimings;
}

/** The faces found in a frame (`found`) and the ones to replace (`selected`). */
export interface FrameFaces {
  found: number;
  selected: AnalysedFace[];
}

/** The 2DFAN4 score above which its points replace the detector's (FaceFusion's default gate). */
const LANDMARK_SCORE_GATE = 0.5;
/** The frame rate `process` assumes for frames without a timestamp. */
const REALTIME_FPS = 30;

export class FaceSwapProcessor {
  readonly stats: FaceSwapStats = {
    frames: 0,
    framesWithoutFace: 0,
    facesFound: 0,
    facesSwapped: 0,
    estimatedLandmarks: 0,
    swapsByIdentity: {},
    timings: { detect: 0, landmarks: 0, recognize: 0, swap: 0, restore: 0 },
  };
  #latent: Float32Array | null = null;
  /** Per source photo (face mapping): its swapper feed. */
  readonly #feeds = new Map<string, Float32Array>();
  #people: MappedPerson[] | null = null;
  /** The picture the map was picked on; on it, faces are matched by box (exactly where picked). */
  #mapPicture: Picture | null = null;
  #reference: Float32Array | null = null;
  #tracker: FaceTracker | null = null;
  #smoother: TemporalSmoother | null = null;
  /**
   * Called with each face's swap (its paste mask and geometry) and the frame count so far, e.g. to
   * save the mask a job used (saveMask).
   */
  onSwap: ((swap: SwapResult, frame: number) => void) | null = null;
  #realtime: FramePipeline<SequenceFrame, FrameFaces, Picture> | null = null;
  #processed = 0;

  constructor(
    readonly models: FaceSwapModels,
    readonly settings: FaceSwapSettings,
  ) {}

  /** Every face in `image` with its five points, best detection first. */
  async findFaces(image: Picture): Promise<AnalysedFace[]> {
    const { detector, landmarker } = this.models;
    const t0 = performance.now();
    const detections = await detectFaces(detector.kind, detector.session, image, {
      scoreThreshold: this.settings.detectorScore,
    });
    const t1 = performance.now();
    this.stats.timings.detect += t1 - t0;
    const faces: AnalysedFace[] = [];
    for (const detection of detections) {
      let face: FaceDetection = detection;
      let refined = false;
      let landmarks68: Point[] | undefined;
      if (landmarker) {
        // FaceFusion turns the 2DFAN4 crop upright by the face's coarse angle from the five points.
        const five = fivePoints(detection);
        const angle = faceAngle(five.points, five.estimated ? EYES_ONLY : undefined);
        const { points, score } = await landmarks68With2dfan4(landmarker, image, detection.box, angle);
        face = refineWithLandmarks(detection, points, score, LANDMARK_SCORE_GATE);
        landmarks68 = points;
        refined = face !== detection;
      }
      const { points, estimated } = fivePoints(face);
      faces.push({
        box: detection.box,
        score: detection.score,
        points,
        landmarks: refined ? '2dfan4' : estimated ? 'estimated' : 'detector',
        ...(estimated ? { alignWeights: EYES_ONLY } : {}),
        ...(refined && landmarks68 ? { landmarks68 } : {}),
      });
    }
    this.stats.timings.landmarks += performance.now() - t1;
    return faces;
  }

  /** The face's raw ArcFace embedding; its normalised one is stored on the face. */
  async #embedRaw(image: Picture, face: AnalysedFace): Promise<Float32Array> {
    const t0 = performance.now();
    const aligned = alignForRecognition(image, face.points, face.alignWeights);
    const raw = await rawEmbedding(this.models.recognizer, aligned.crop);
    face.embedding = l2Normalize(raw);
    this.stats.timings.recognize += performance.now() - t0;
    return raw;
  }

  /** The face's normalised ArcFace embedding (stored on it). */
  async embed(image: Picture, face: AnalysedFace): Promise<Float32Array> {
    if (!face.embedding) await this.#embedRaw(image, face);
    return face.embedding as Float32Array;
  }

  /** The largest face of an image, or a PluginInputError naming the image. */
  async #largestFace(image: RgbImage, what: string): Promise<AnalysedFace> {
    const [face] = selectFaces(await this.findFaces(image), { mode: 'largest' });
    if (!face) throw new PluginInputError(`No face found in ${what}`);
    return face;
  }

  /**
   * Sets the identity to put in: the mean of the raw embeddings of the largest face of each source
   * image, as FaceFusion averages them (docs/models/face.md §4.5).
   */
  async setSources(sources: readonly { name: string; image: RgbImage }[]): Promise<AnalysedFace[]> {
    const faces: AnalysedFace[] = [];
    const embeddings: Float32Array[] = [];
    for (const source of sources) {
      const face = await this.#largestFace(source.image, `the source image "${source.name}"`);
      embeddings.push(await this.#embedRaw(source.image, face));
      faces.push(face);
    }
    this.#latent = await this.models.swapper.sourceFeed(meanIdentity(embeddings));
    return faces;
  }

  /**
   * For face mapping: each source photo is one identity (its largest face), fed to the swapper on
   * the faces mapped to it.
   */
  async setIdentities(
    sources: readonly { id: string; name: string; image: RgbImage }[],
  ): Promise<AnalysedFace[]> {
    const faces: AnalysedFace[] = [];
    for (const source of sources) {
      const face = await this.#largestFace(source.image, `the source image "${source.name}"`);
      const raw = await this.#embedRaw(source.image, face);
      // As setSources feeds a mean of one: the same feed for a photo whichever mode names it.
      this.#feeds.set(source.id, await this.models.swapper.sourceFeed(meanIdentity([raw])));
      faces.push(face);
    }
    return faces;
  }

  /**
   * For 'map' selection: the picked faces on `picture` (the target image, or the video's map frame),
   * each matched to a detected face whose likeness then identifies that person on other frames.
   */
  async setFaceMap(
    picture: Picture,
    entries: readonly FaceMapEntry[],
    where: string,
  ): Promise<MappedPerson[]> {
    const faces = await this.findFaces(picture);
    for (const face of faces) await this.embed(picture, face);
    this.#people = mappedPeople(entries, faces, where);
    this.#mapPicture = picture;
    return this.#people;
  }

  /** For 'reference' selection: target faces that look like the largest face of this image match. */
  async setReference(image: RgbImage, what: string): Promise<void> {
    const face = await this.#largestFace(image, what);
    this.#reference = await this.embed(image, face);
  }

  /** The `source` feed of the swapper (null until setSources). */
  get latent(): Float32Array | null {
    return this.#latent;
  }

  get hasReference(): boolean {
    return this.#reference !== null;
  }

  /** The faces of `frame` to replace, per the selection settings. */
  async analyse(frame: Picture): Promise<FrameFaces> {
    const faces = await this.findFaces(frame);
    const { mode, ...selection } = this.settings.selection;
    if (mode === 'map') return { found: faces.length, selected: await this.#mapped(frame, faces) };
    if (mode === 'reference') {
      if (!this.#reference) throw new Error('analyse: no reference face set (call setReference first)');
      for (const face of faces) await this.embed(frame, face);
      return {
        found: faces.length,
        selected: selectFaces(faces, { ...selection, mode, reference: this.#reference }),
      };
    }
    return { found: faces.length, selected: selectFaces(faces, { ...selection, mode }) };
  }

  /** The faces of a frame that belong to mapped people, each with its identity. */
  async #mapped(frame: Picture, found: AnalysedFace[]): Promise<AnalysedFace[]> {
    const people = this.#people;
    if (!people) throw new Error('analyse: no face map set (call setFaceMap first)');
    const faces = selectFaces(found, { mode: 'all', minFaceSize: this.settings.selection.minFaceSize });
    if (frame === this.#mapPicture) {
      // The picture the map was picked on: the picked boxes say which face is whose.
      return matchPickedFaces(
        people.map((p) => p.entry),
        faces,
      ).flatMap((face, i) => (face ? [{ ...face, identity: people[i]?.entry.source }] : []));
    }
    for (const face of faces) await this.embed(frame, face);
    return assignMappedFaces(people, faces, this.settings.selection.referenceDistance ?? 0.3);
  }

  /**
   * Swaps (and restores) `faces` in `frame`, in place. In a sequence (`timeMs` given, smoothing on),
   * tracked faces get their colour transfer and mask smoothed over time.
   */
  async apply(
    frame: Picture,
    analysis: { found: number; selected: readonly AnalysedFace[] },
    timeMs?: number,
  ): Promise<void> {
    const feedOf = (face: AnalysedFace) => {
      const feed = face.identity ? this.#feeds.get(face.identity) : this.#latent;
      if (!feed) {
        throw new Error(
          face.identity
            ? `apply: no identity for source ${face.identity} (call setIdentities first)`
            : 'apply: no source identity set (call setSources first)',
        );
      }
      return feed;
    };
    const { restorer } = this.models;
    const { timings } = this.stats;
    this.stats.frames++;
    this.stats.facesFound += analysis.found;
    if (analysis.selected.length === 0) this.stats.framesWithoutFace++;
    const { occluder, parser } = this.models;
    const smoother = this.#smoother;
    for (const face of analysis.selected) {
      const t0 = performance.now();
      const state =
        smoother && timeMs !== undefined && face.trackId !== undefined
          ? smoother.face(face.trackId, timeMs)
          : undefined;
      const swap = await swapFace(
        this.models.swapper,
        frame,
        face,
        feedOf(face),
        this.settings.paste,
        { occluder, parser },
        state,
      );
      this.onSwap?.(swap, this.stats.frames);
      if (face.identity) {
        this.stats.swapsByIdentity[face.identity] = (this.stats.swapsByIdentity[face.identity] ?? 0) + 1;
      }
      const t1 = performance.now();
      timings.swap += t1 - t0;
      if (restorer && this.settings.restoreStrength > 0) {
        // FaceFusion's enhancer: box mask at the swap's blur (no padding) ∧ occlusion
        // (docs/models/face.md §6.2).
        await restoreFace(restorer.session, frame, face.points, {
          strength: this.settings.restoreStrength,
          fidelity: this.settings.restoreFidelity,
          alignWeights: face.alignWeights,
          maskBlur: this.settings.paste.maskBlur,
          occluder,
        });
        timings.restore += performance.now() - t1;
      }
      this.stats.facesSwapped++;
      if (face.landmarks === 'estimated') this.stats.estimatedLandmarks++;
    }
    if (smoother && timeMs !== undefined) {
      smoother.endFrame(analysis.selected.flatMap((f) => (f.trackId === undefined ? [] : [f.trackId])));
    }
  }

  /**
   * For a sequence of frames (video, camera): the faces with their landmarks smoothed over time by
   * a tracker that lives as long as this processor. `fps` sets the filter's rate when timestamps
   * are missing.
   */
  smoothFaces<T extends { selected: AnalysedFace[] }>(analysis: T, timestampMs: number, fps: number): T {
    if (this.settings.smoothing <= 0) return analysis;
    this.#tracker ??= new FaceTracker(this.settings.smoothing, fps);
    this.#smoother ??= new TemporalSmoother(Math.min(1, this.settings.smoothing), fps);
    return { ...analysis, selected: this.#tracker.smooth(analysis.selected, timestampMs) };
  }

  /**
   * The per-frame stages of a sequence (frames/pipeline.ts): faces are found on every
   * `detectEvery`-th frame and reused in between (cheap tracking for a steady camera), their
   * landmarks smoothed over time (at `fps` for frames without a timestamp); render swaps in place.
   */
  framePipeline(fps: number): FramePipeline<SequenceFrame, FrameFaces, Picture> {
    let detected: FrameFaces = { found: 0, selected: [] };
    return {
      analyse: async ({ image, index, timeMs = (index * 1000) / fps }) => {
        if (index % this.settings.detectEvery === 0) detected = await this.analyse(image);
        return this.smoothFaces(detected, timeMs, fps);
      },
      render: async ({ image, index, timeMs = (index * 1000) / fps }, faces) => {
        await this.apply(image, faces, timeMs);
        return image;
      },
    };
  }

  /**
   * The realtime entry point: swaps the faces of `frame` in place and returns it, one frame after
   * the other through framePipeline (timestamps default to 30 fps).
   */
  process<P extends Picture>(frame: P, timestampMs?: number): Promise<P> {
    this.#realtime ??= this.framePipeline(REALTIME_FPS);
    return runFrame(this.#realtime, {
      image: frame,
      index: this.#processed++,
      timeMs: timestampMs,
    }) as Promise<P>;
  }
}
