// The contract between the worker and a plugin (docs/architecture.md §5).
import type { SelectedDevice } from '@visage/device';
import type { ModelLease, ModelLocation, ModelMemory, RgbImage } from '@visage/inference';
import type { z } from 'zod';
import type { PluginDescriptor } from './descriptor.ts';
import type { ModelUse } from './leases.ts';

/** The subset of a pino logger plugins use. */
export interface PluginLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** An input asset as the plugin sees it: a local file and what the upload probe found. */
export interface InputAsset {
  id: string;
  /** The uploaded file's name (for messages: "no face in the source image …"); the id when unknown. */
  name: string;
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  fps: number | null;
  hasAudio: boolean | null;
}

/** Read inputs, write outputs: files on disk, rows in the database. */
export interface AssetAccess {
  input(assetId: string): Promise<InputAsset>;
  /**
   * Stores a produced file as an output asset of the job; returns its asset id. `kind` 'motion' marks
   * a motion template (reusable driving motion) rather than a result to show in the gallery.
   */
  writeOutput(
    output: ({ data: Uint8Array } | { path: string }) & { slot: string; kind?: 'output' | 'motion' },
  ): Promise<string>;
}

export interface Preview {
  data: Uint8Array;
  mime: 'image/webp' | 'image/jpeg' | 'image/png';
}

export interface RunContext {
  jobId: string;
  /** Aborted when the job is cancelled or the worker shuts down: stop between frames/steps. */
  signal: AbortSignal;
  log: PluginLogger;
  /** fraction in [0, 1]; stage is a short human-readable phase ("detecting faces", "frame 12/300"). */
  progress(fraction: number, stage: string, preview?: Preview): void;
  assets: AssetAccess;
  /**
   * Loaded ONNX sessions through the worker's ModelManager. Release every lease (in `finally`);
   * the worker records which models ran on which provider.
   */
  models: {
    acquire(id: string): Promise<ModelLease>;
    /** Where an installed model's file is, for files that are not ONNX sessions (a tokenizer). */
    locate(id: string): Promise<ModelLocation>;
    /** The ModelManager's memory now and its peak so far (bytes), for the job's metadata. */
    memory(): ModelMemory;
  };
  /** The device the worker runs models on (provider chain, precision, memory budget). */
  device: SelectedDevice;
  /** Facts to keep on the job for its owner: models used, provider, faces found, timings… */
  record(metadata: Record<string, unknown>): void;
}

/** What a live session gives its plugin: the same models and assets a job gets, without a job. */
export interface LiveContext {
  log: PluginLogger;
  /** The session's input assets (checked readable by the session's user). */
  assets: Pick<AssetAccess, 'input'>;
  models: { acquire(id: string): Promise<ModelLease> };
  device: SelectedDevice;
}

/** A live session's per-frame work: models loaded and inputs read once, then one call per frame. */
export interface LiveFrameProcessor {
  /** The processed frame (it may be `frame`, changed in place). */
  process(frame: RgbImage, timestampMs?: number): Promise<RgbImage>;
  /** The models the session holds, with the provider each runs on. */
  readonly models: readonly ModelUse[];
  /** Releases the model leases; `process` must not be called afterwards. */
  close(): void;
}

export interface Plugin<S extends z.ZodType = z.ZodType> extends PluginDescriptor<S> {
  run(ctx: RunContext, input: z.infer<S>): Promise<void>;
  /** Opens a live session with options valid for the plugin's live descriptor (docs/live.md §1). */
  openLive?(ctx: LiveContext, options: unknown): Promise<LiveFrameProcessor>;
}

/** A plugin error whose message is meant for the user (bad input, no face found…); never retried. */
export class PluginInputError extends Error {
  override name = 'PluginInputError';
}
