// The live socket's wire format, shared by the browser page, the web server's forwarder, the worker
// and the tests (docs/live.md). Binary messages are frames; text messages are JSON control messages.

/** Where the browser opens the socket (the web app's own origin; the web server forwards it). */
export const LIVE_PATH = '/api/live';

/** Bytes before the image in every binary frame. */
export const FRAME_HEADER_BYTES = 16;
const VERSION = 1;

export type FrameFormat = 'jpeg' | 'webp';
const FORMAT_CODES: Record<FrameFormat, number> = { jpeg: 1, webp: 2 };

export interface FrameHeader {
  /** The sender's frame counter; an output frame carries the number of the input it was made from. */
  seq: number;
  /** The sender's capture time in ms (its own clock); echoed unchanged on the output frame. */
  captureMs: number;
  format: FrameFormat;
}

/** [version u8][format u8][reserved u16][seq u32][captureMs f64], little-endian, then the image. */
export function encodeFrame(header: FrameHeader, image: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + image.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, FORMAT_CODES[header.format]);
  view.setUint32(4, header.seq >>> 0, true);
  view.setFloat64(8, header.captureMs, true);
  out.set(image, FRAME_HEADER_BYTES);
  return out;
}

export class LiveProtocolError extends Error {
  override name = 'LiveProtocolError';
}

/** The header and the image bytes (a view into `data`, not a copy). */
export function decodeFrame(data: Uint8Array): { header: FrameHeader; image: Uint8Array } {
  if (data.byteLength <= FRAME_HEADER_BYTES)
    throw new LiveProtocolError(`A frame must be a ${FRAME_HEADER_BYTES}-byte header and an image`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== VERSION)
    throw new LiveProtocolError(`Unknown frame version ${version} (expected ${VERSION})`);
  const code = view.getUint8(1);
  const format = (Object.keys(FORMAT_CODES) as FrameFormat[]).find((f) => FORMAT_CODES[f] === code);
  if (!format) throw new LiveProtocolError(`Unknown frame format ${code} (1 = JPEG, 2 = WebP)`);
  return {
    header: { seq: view.getUint32(4, true), captureMs: view.getFloat64(8, true), format },
    image: data.subarray(FRAME_HEADER_BYTES),
  };
}

/** Close codes (4000–4999 are the application's); the reason says the details. */
export const LIVE_CLOSE = {
  /** The session ended normally (client said goodbye, or stop). */
  normal: 1000,
  /** The worker is shutting down; ask for a new ticket to continue elsewhere. */
  goingAway: 1001,
  /** Bad hello, options that differ from the ticket's, a malformed frame. */
  protocol: 4400,
  ticketMissing: 4401,
  /** Bad signature or malformed ticket. */
  ticketInvalid: 4403,
  /** An asset of the options is gone or no longer readable by the ticket's user. */
  assetNotFound: 4404,
  ticketExpired: 4408,
  /** A ticket opens one socket only. */
  ticketReplayed: 4409,
  /** The ticket was issued for another worker. */
  wrongWorker: 4421,
  /** The plugin refused the input (no face in the source photo, model missing…). */
  input: 4422,
  tooManySessions: 4429,
  /** The session broke on the worker (the reason says why; it is logged there). */
  failed: 4500,
  /** No free live slot on this worker. */
  noSlot: 4503,
  /** A watcher's session ended; ask for a new watch ticket. */
  sessionEnded: 4000,
} as const;

/** What a session runs: the plugin and its live options (asset ids included). */
export interface LiveSpec {
  plugin: string;
  options: Record<string, unknown>;
}

/** Client → worker, first message of a session socket. */
export interface HelloMessage extends LiveSpec {
  type: 'hello';
  /** The size of the frames the client will send (each frame is checked against it). */
  width: number;
  height: number;
  /** Format of the frames the client wants back (default: jpeg). */
  output?: FrameFormat;
}

/** Client → worker: start or stop saving the processed stream to the gallery. */
export interface RecordMessage {
  type: 'record';
  action: 'start' | 'stop';
}

/** Client → worker: a frame was shown, and how long after its capture (client clock). */
export interface ShownMessage {
  type: 'shown';
  seq: number;
  latencyMs: number;
}

export type ClientMessage = HelloMessage | RecordMessage | ShownMessage;

/** Worker → client once the session's models are loaded (frames sent earlier are dropped). */
export interface ReadyMessage {
  type: 'ready';
  sessionId: string;
  workerId: string;
  /** Execution provider of each model the session uses. */
  providers: Record<string, string>;
  /** The worker's accelerator ('cuda' | 'mps' | 'cpu'). */
  accelerator: string;
  /** Models running on the CPU although the worker has an accelerator (slow: say so). */
  cpuFallback: string[];
  width: number;
  height: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
}

/** Worker → client every second. */
export interface StatsMessage {
  type: 'stats';
  /** Frames per second received and sent over the last second. */
  fpsIn: number;
  fpsOut: number;
  /** Mean ms per frame of each stage over the last second (decode, process, encode). */
  stagesMs: Record<string, number>;
  /** Frame arrival to its output being sent, on the worker, over the last second. */
  workerLatencyMs: Percentiles | null;
  /** Capture to display, as the client reported with `shown` messages, over the last second. */
  latencyMs: Percentiles | null;
  /** Totals since the start: inputs replaced by a newer one before processing, outputs not sent to a slow reader. */
  droppedIn: number;
  droppedOut: number;
  /** Frames that were not a readable image of the hello's size (each also got a warning). */
  rejected: number;
  framesIn: number;
  framesOut: number;
  providers: Record<string, string>;
  cpuFallback: string[];
  recording: { startedAt: string; durationMs: number } | null;
}

/** Worker → client when a recording ends: the gallery asset it became. */
export interface RecordedMessage {
  type: 'recorded';
  assetId: string;
  durationMs: number;
}

export interface RecordingMessage {
  type: 'recording';
  startedAt: string;
}

/** Worker → client: a problem that does not end the session (a frame that could not be decoded…). */
export interface WarningMessage {
  type: 'warning';
  message: string;
}

/**
 * Worker → client just before it closes a session for a reason (a close frame's reason holds only
 * 123 bytes; this carries the whole message, e.g. which model is missing and the command to get it).
 */
export interface EndedMessage {
  type: 'ended';
  code: number;
  message: string;
}

export type ServerMessage =
  | ReadyMessage
  | StatsMessage
  | RecordingMessage
  | RecordedMessage
  | WarningMessage
  | EndedMessage;
