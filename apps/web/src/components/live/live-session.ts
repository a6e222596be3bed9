// One live session from the browser (docs/live.md): the camera, a ticket from live.start, the
// socket with its hello, the frame pump out and the painter in, recording, and a new ticket when
// the worker went away or had no slot. Plain TypeScript; useLiveSession gives it to React.
import { LIVE_CLOSE, type ReadyMessage, type StatsMessage } from '@visage/db/live/protocol';
import { CameraError, captureVideo, closeCamera, FRAME_HEIGHT, FRAME_WIDTH, openCamera } from './camera';
import { describeClose, shouldRenewTicket } from './close-reasons';
import { FramePainter } from './frame-painter';
import { type FramePump, startFramePump } from './frame-pump';
import { type LiveSocket, openLiveSocket } from './live-socket';

export type LivePhase = 'idle' | 'starting' | 'connecting' | 'live' | 'reconnecting' | 'stopping';

export interface LiveState {
  phase: LivePhase;
  /** The camera, for the page's own preview. */
  stream: MediaStream | null;
  ready: ReadyMessage | null;
  stats: StatsMessage | null;
  /** When the recording began (this browser's Date.now()), while one runs. */
  recordingSince: number | null;
  /** A stop was asked for and the worker is saving the file. */
  savingRecording: boolean;
  /** Why the last session ended when the user did not stop it. */
  ended: string | null;
}

export const IDLE: LiveState = {
  phase: 'idle',
  stream: null,
  ready: null,
  stats: null,
  recordingSince: null,
  savingRecording: false,
  ended: null,
};

export interface LiveTicket {
  path: string;
  /** The options as the server parsed them: the hello repeats exactly these. */
  options: Record<string, unknown>;
}

export interface LiveSessionEvents {
  onState(state: LiveState): void;
  onRecorded(assetId: string, durationMs: number): void;
  onWarning(message: string): void;
  onError(message: string): void;
}

/** New tickets in a row before giving up (a worker restarting, slots briefly full). */
const MAX_RENEWALS = 3;
/** How long Stop waits for a running recording to be saved before closing anyway. */
const SAVE_WAIT_MS = 20_000;

export class LiveSessionController {
  #state: LiveState = IDLE;
  #socket: LiveSocket | null = null;
  #pump: FramePump | null = null;
  #video: HTMLVideoElement | null = null;
  #renewals = 0;
  /** Bumped by every start and stop, so a late answer of an earlier attempt is ignored. */
  #attempt = 0;
  #saved: (() => void) | null = null;
  readonly painter = new FramePainter((header) =>
    this.#socket?.send({ type: 'shown', seq: header.seq, latencyMs: performance.now() - header.captureMs }),
  );

  #plugin = '';
  #requestTicket: () => Promise<LiveTicket> = () => Promise.reject(new Error('Not started'));

  constructor(private readonly events: LiveSessionEvents) {}

  get state(): LiveState {
    return this.#state;
  }

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch };
    this.events.onState(this.#state);
  }

  /** Opens the camera and a session of `plugin`; `requestTicket` is live.start with its options. */
  async start({
    plugin,
    deviceId,
    requestTicket,
  }: {
    plugin: string;
    deviceId: string | null;
    requestTicket(): Promise<LiveTicket>;
  }): Promise<void> {
    if (this.#state.phase !== 'idle') return;
    const attempt = ++this.#attempt;
    this.#plugin = plugin;
    this.#requestTicket = requestTicket;
    this.#renewals = 0;
    this.#set({ ...IDLE, phase: 'starting' });
    try {
      const stream = await openCamera(deviceId);
      if (attempt !== this.#attempt) return closeCamera(stream);
      this.#set({ stream });
      this.#video = await captureVideo(stream);
      await this.#connect(attempt);
    } catch (error) {
      if (attempt !== this.#attempt) return;
      this.#teardown();
      this.#set({ ...IDLE, ended: (error as Error).message });
      this.events.onError(
        error instanceof CameraError ? error.message : `Could not start: ${(error as Error).message}`,
      );
    }
  }

  /** Another camera while the session runs (the frames keep their size). */
  async switchCamera(deviceId: string): Promise<void> {
    if (!this.#state.stream || !this.#video) return;
    try {
      const stream = await openCamera(deviceId);
      closeCamera(this.#state.stream);
      this.#video.srcObject = stream;
      await this.#video.play();
      this.#set({ stream });
    } catch (error) {
      this.events.onError((error as Error).message);
    }
  }

  async #connect(attempt: number): Promise<void> {
    this.#set({ phase: this.#renewals > 0 ? 'reconnecting' : 'connecting', ready: null });
    const ticket = await this.#requestTicket();
    if (attempt !== this.#attempt) return;
    const socket = openLiveSocket(ticket.path, {
      onOpen: () =>
        socket.send({
          type: 'hello',
          plugin: this.#plugin,
          options: ticket.options,
          width: FRAME_WIDTH,
          height: FRAME_HEIGHT,
          output: 'jpeg',
        }),
      onMessage: (message) => {
        switch (message.type) {
          case 'ready':
            this.#renewals = 0;
            this.#set({ phase: 'live', ready: message });
            this.#startPump(socket);
            break;
          case 'stats':
            this.#set({ stats: message });
            break;
          case 'recording':
            this.#set({ recordingSince: Date.now() });
            break;
          case 'recorded':
            this.#set({ recordingSince: null, savingRecording: false });
            this.#saved?.();
            this.events.onRecorded(message.assetId, message.durationMs);
            break;
          case 'warning':
            this.events.onWarning(message.message);
            break;
        }
      },
      onFrame: (data) => {
        const header = this.painter.paint(data);
        if (header) this.#pump?.answered(header.seq);
      },
      onClose: (code, reason) => void this.#closed(attempt, code, reason),
    });
    this.#socket = socket;
  }

  #startPump(socket: LiveSocket): void {
    this.#pump?.stop();
    if (!this.#video) return;
    this.#pump = startFramePump({
      video: this.#video,
      width: FRAME_WIDTH,
      height: FRAME_HEIGHT,
      send: (frame) => socket.sendFrame(frame),
      buffered: () => socket.buffered,
    });
  }

  async #closed(attempt: number, code: number, reason: string): Promise<void> {
    if (attempt !== this.#attempt) return;
    this.#pump?.stop();
    this.#pump = null;
    this.#socket = null;
    this.#saved?.();
    if (shouldRenewTicket(code) && this.#renewals < MAX_RENEWALS) {
      this.#renewals++;
      // A full worker may free a slot in a moment; a leaving one is replaced by another at once.
      if (code === LIVE_CLOSE.noSlot) await new Promise((r) => setTimeout(r, 1000 * this.#renewals));
      if (attempt !== this.#attempt) return;
      try {
        return await this.#connect(attempt);
      } catch (error) {
        reason = (error as Error).message;
      }
    }
    const message = describeClose(code, reason);
    this.#teardown();
    this.#set({ ...IDLE, ended: message });
    this.events.onError(message);
  }

  record(action: 'start' | 'stop'): void {
    if (action === 'stop' && this.#state.recordingSince !== null) this.#set({ savingRecording: true });
    this.#socket?.send({ type: 'record', action });
  }

  /** Ends the session; a running recording is saved first (the worker answers `recorded`). */
  async stop(): Promise<void> {
    if (this.#state.phase === 'idle' || this.#state.phase === 'stopping') return;
    const attempt = ++this.#attempt;
    if (this.#state.recordingSince !== null && this.#socket) {
      this.#set({ phase: 'stopping' });
      const saved = new Promise<void>((resolve) => {
        this.#saved = resolve;
        setTimeout(resolve, SAVE_WAIT_MS);
      });
      this.record('stop');
      await saved;
      this.#saved = null;
      if (attempt !== this.#attempt) return;
    }
    this.#teardown();
    this.#set(IDLE);
  }

  /** Releases everything (the page is left). */
  dispose(): void {
    this.#attempt++;
    this.#teardown();
  }

  #teardown(): void {
    this.#pump?.stop();
    this.#pump = null;
    this.#socket?.close();
    this.#socket = null;
    closeCamera(this.#state.stream);
    if (this.#video) this.#video.srcObject = null;
    this.#video = null;
    this.painter.clear();
  }
}
