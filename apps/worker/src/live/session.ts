// One live session on its socket (docs/live.md): the hello opens the plugin's frame processor, then
// frames are processed one at a time with the latest arrival winning, stats go out every second,
// and a recording can be saved to the gallery. The server (server.ts) admits the socket first.
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '@visage/db';
import {
  decodeFrame,
  encodeFrame,
  type FrameFormat,
  type FrameHeader,
  type HelloMessage,
  LIVE_CLOSE,
  type LiveTicket,
  type ServerMessage,
} from '@visage/db/live';
import type { MediaStore } from '@visage/db/media';
import type { SelectedDevice } from '@visage/device';
import type { ModelLease, RgbImage } from '@visage/inference';
import type { LiveFrameProcessor, Plugin } from '@visage/plugins';
import type { WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import { decodeFrameImage, encodeFrameImage } from './codec.ts';
import { closeReason, LiveClose, openLiveInputs } from './inputs.ts';
import { LiveRecorder } from './recorder.ts';
import { saveRecording } from './save-recording.ts';
import { LiveStats } from './stats.ts';

/** Output bytes a socket may have waiting before frames for it are dropped (about 4 frames at 640×480). */
export const MAX_BUFFERED_BYTES = 256 * 1024;
const HELLO_TIMEOUT_MS = 15_000;
const MAX_SIDE = 4096;

export interface SessionDeps {
  db: Db;
  media: MediaStore;
  plugin: Plugin;
  models: { acquire(id: string): Promise<ModelLease> };
  device: SelectedDevice;
  workerId: string;
  log: Logger;
  maxRecordMs: number;
  /** Every processed frame, encoded, for the user's output views. */
  broadcast(frame: Uint8Array): void;
}

interface Waiting {
  header: FrameHeader;
  image: Uint8Array;
  arrivedAt: number;
}

export class LiveSession {
  readonly stats = new LiveStats();
  #hello: HelloMessage | null = null;
  #processor: LiveFrameProcessor | null = null;
  #waiting: Waiting | null = null;
  #busy = false;
  /** The frame being processed (settles without rejecting: its failure closes the session). */
  #inflight: Promise<void> = Promise.resolve();
  #closed = false;
  #recorder: LiveRecorder | null = null;
  #recordTimer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  readonly #helloTimer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    readonly ticket: LiveTicket,
    private readonly deps: SessionDeps,
  ) {
    this.#log = deps.log.child({ liveSession: id, userId: ticket.userId, plugin: ticket.plugin });
    this.#helloTimer = setTimeout(
      () => this.close(LIVE_CLOSE.protocol, 'No hello within 15 s'),
      HELLO_TIMEOUT_MS,
    );
    ws.on('message', (data, isBinary) => {
      const bytes = data instanceof Buffer ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) this.#onFrame(bytes);
      else this.#onText(bytes.toString('utf8'));
    });
  }

  #send(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  #onText(text: string): void {
    let message: { type?: unknown; [key: string]: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.close(LIVE_CLOSE.protocol, 'A text message must be JSON');
      return;
    }
    const handled = (work: Promise<void>) =>
      work.catch((error: unknown) => {
        // A bug here must end this session, not the worker (main.ts exits on an unhandled rejection).
        this.#log.error({ err: error }, 'live session message failed');
        this.close(LIVE_CLOSE.failed, `The session failed: ${(error as Error).message}`);
      });
    if (message.type === 'hello') void handled(this.#start(message as unknown as HelloMessage));
    else if (message.type === 'shown') this.stats.shown(Number(message.latencyMs));
    else if (message.type === 'record' && message.action === 'start') void handled(this.#startRecording());
    else if (message.type === 'record' && message.action === 'stop') void handled(this.#stopRecording());
    else this.close(LIVE_CLOSE.protocol, `Unknown message type ${JSON.stringify(message.type)}`);
  }

  async #start(hello: HelloMessage): Promise<void> {
    if (this.#hello) return this.close(LIVE_CLOSE.protocol, 'Only one hello per session');
    clearTimeout(this.#helloTimer);
    const { width, height } = hello;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 16 ||
      height < 16 ||
      width > MAX_SIDE ||
      height > MAX_SIDE
    )
      return this.close(LIVE_CLOSE.protocol, `The frame size must be whole pixels from 16 to ${MAX_SIDE}`);
    if (hello.plugin !== this.ticket.plugin || !isDeepStrictEqual(hello.options, this.ticket.options))
      return this.close(
        LIVE_CLOSE.protocol,
        'The hello asks for other options than the ticket was issued for',
      );
    if (hello.output !== undefined && hello.output !== 'jpeg' && hello.output !== 'webp')
      return this.close(LIVE_CLOSE.protocol, 'output must be "jpeg" or "webp"');
    this.#hello = hello;
    try {
      const assets = await openLiveInputs(this.deps.db, this.deps.media, this.ticket);
      const openLive = this.deps.plugin.openLive;
      if (!openLive) throw new LiveClose(LIVE_CLOSE.protocol, `${this.ticket.plugin} has no live mode`);
      const processor = await openLive(
        {
          log: this.#log,
          assets,
          models: { acquire: (id) => this.deps.models.acquire(id) },
          device: this.deps.device,
        },
        this.ticket.options,
      );
      if (this.#closed) return processor.close(); // the client left while the models loaded
      this.#processor = processor;
    } catch (error) {
      const { code, reason } = LiveClose.from(error);
      if (code === LIVE_CLOSE.failed) this.#log.error({ err: error }, 'live session could not start');
      else this.#log.info({ code, reason }, 'live session refused');
      return this.close(code, reason);
    }
    const providers = this.#providers();
    this.#send({
      type: 'ready',
      sessionId: this.id,
      workerId: this.deps.workerId,
      providers,
      accelerator: this.deps.device.device,
      cpuFallback: this.#cpuFallback(providers),
      width,
      height,
    });
    this.#log.info({ width, height, providers }, 'live session started');
    this.#statsTimer = setInterval(() => this.#sendStats(), 1000);
    this.#pump();
  }

  #providers(): Record<string, string> {
    return Object.fromEntries((this.#processor?.models ?? []).map((m) => [m.id, m.provider]));
  }

  /** Models on the CPU although the worker has an accelerator (a user must be told: it is slow). */
  #cpuFallback(providers: Record<string, string>): string[] {
    if (this.deps.device.device === 'cpu') return [];
    return Object.entries(providers)
      .filter(([, provider]) => provider === 'cpu')
      .map(([id]) => id);
  }

  #sendStats(): void {
    const providers = this.#providers();
    const recorder = this.#recorder;
    this.#send({
      type: 'stats',
      ...this.stats.take(),
      providers,
      cpuFallback: this.#cpuFallback(providers),
      recording: recorder
        ? { startedAt: recorder.startedAt.toISOString(), durationMs: recorder.durationMs }
        : null,
    });
  }

  #onFrame(data: Buffer): void {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      this.close(LIVE_CLOSE.protocol, (error as Error).message);
      return;
    }
    this.stats.received();
    // Latest frame wins: a frame still waiting is replaced, so the queue never grows.
    if (this.#waiting) this.stats.replaced();
    this.#waiting = { ...frame, arrivedAt: performance.now() };
    this.#pump();
  }

  #pump(): void {
    if (this.#busy || this.#closed || !this.#processor || !this.#waiting) return;
    const frame = this.#waiting;
    this.#waiting = null;
    this.#busy = true;
    this.#inflight = this.#process(frame, this.#processor).then(
      () => {
        this.#busy = false;
        this.#pump();
      },
      (error: unknown) => {
        this.#busy = false;
        this.#log.error({ err: error }, 'live frame failed');
        this.close(LIVE_CLOSE.failed, `Processing failed: ${(error as Error).message}`);
      },
    );
  }

  async #process(frame: Waiting, processor: LiveFrameProcessor): Promise<void> {
    const hello = this.#hello as HelloMessage;
    const t0 = performance.now();
    let image: RgbImage;
    try {
      image = await decodeFrameImage(frame.image);
    } catch (error) {
      this.#send({
        type: 'warning',
        message: `Frame ${frame.header.seq} is not a readable image: ${(error as Error).message}`,
      });
      return;
    }
    if (image.width !== hello.width || image.height !== hello.height) {
      this.stats.reject();
      this.#send({
        type: 'warning',
        message: `Frame ${frame.header.seq} is ${image.width}×${image.height}, not the ${hello.width}×${hello.height} the hello announced`,
      });
      return;
    }
    const t1 = performance.now();
    const format: FrameFormat = hello.output ?? 'jpeg';
    // Processors change frames in place; one the processor left alone (no face in it) goes back as
    // the bytes that came in: no re-encode, and no second round of compression (docs/video.md §5).
    const original = format === frame.header.format ? Buffer.from(image.data) : null;
    const output = await processor.process(image, frame.header.captureMs);
    const t2 = performance.now();
    const unchanged =
      original !== null && output.data.byteLength === original.byteLength && original.equals(output.data);
    const bytes = unchanged ? frame.image : await encodeFrameImage(output, format);
    const encoded = encodeFrame({ ...frame.header, format }, bytes);
    const t3 = performance.now();
    if (this.#closed) return;
    // A reader that does not keep up loses frames here instead of growing the worker's memory.
    const sent = this.ws.bufferedAmount <= MAX_BUFFERED_BYTES;
    if (sent) this.ws.send(encoded);
    this.stats.processed({ decode: t1 - t0, process: t2 - t1, encode: t3 - t2 }, t3 - frame.arrivedAt, sent);
    this.deps.broadcast(encoded);
    this.#recorder?.add(output);
  }

  async #startRecording(): Promise<void> {
    if (this.#recorder || !this.#hello || !this.#processor) return;
    const { width, height } = this.#hello;
    try {
      this.#recorder = await LiveRecorder.start(width, height);
    } catch (error) {
      this.#log.error({ err: error }, 'live recording could not start');
      this.#send({ type: 'warning', message: `Recording could not start: ${(error as Error).message}` });
      return;
    }
    this.#recordTimer = setTimeout(() => void this.#stopRecording(), this.deps.maxRecordMs);
    this.#send({ type: 'recording', startedAt: this.#recorder.startedAt.toISOString() });
  }

  async #stopRecording(): Promise<void> {
    const recorder = this.#recorder;
    if (!recorder) return;
    this.#recorder = null;
    clearTimeout(this.#recordTimer);
    try {
      const saved = await saveRecording(this.deps, recorder, {
        ticket: this.ticket,
        sessionId: this.id,
        providers: this.#providers(),
        models: this.#processor?.models ?? [],
      });
      this.#log.info({ assetId: saved.assetId, durationMs: saved.durationMs }, 'live recording saved');
      this.#send({ type: 'recorded', assetId: saved.assetId, durationMs: saved.durationMs });
    } catch (error) {
      this.#log.error({ err: error }, 'live recording could not be saved');
      this.#send({
        type: 'warning',
        message: `The recording could not be saved: ${(error as Error).message}`,
      });
    }
  }

  /** Ends the session: the socket closes with `code`, a recording is saved, the models are released. */
  close(code: number = LIVE_CLOSE.normal, reason = ''): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    clearInterval(this.#statsTimer);
    this.#waiting = null;
    if (code !== LIVE_CLOSE.normal && code !== LIVE_CLOSE.goingAway)
      this.#send({ type: 'ended', code, message: reason });
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, closeReason(reason));
    this.#closing = (async () => {
      await this.#inflight; // the processor stays open until its frame is done
      await this.#stopRecording();
      this.#processor?.close();
      this.#processor = null;
      this.#log.info(
        { code, reason, framesIn: this.stats.framesIn, framesOut: this.stats.framesOut },
        'live session ended',
      );
    })().catch((error: unknown) => {
      this.#log.error({ err: error }, 'live session did not release everything');
    });
  }

  #closing: Promise<void> = Promise.resolve();

  /** Resolves once a closed session has saved its recording and released its models. */
  get finished(): Promise<void> {
    return this.#closing;
  }
}
