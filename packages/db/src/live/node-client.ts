// A live client for Node (tests, `pnpm bench live`, scripts): opens a session socket, says hello,
// streams frames and collects what comes back, as the browser page does (docs/live.md §4).
import { once } from 'node:events';
import { WebSocket } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  type FrameHeader,
  type HelloMessage,
  type ReadyMessage,
  type ServerMessage,
  type StatsMessage,
} from './protocol.ts';

export interface ReceivedFrame {
  header: FrameHeader;
  image: Buffer;
  /** performance.now() when it arrived. */
  receivedAt: number;
}

export interface Closed {
  code: number;
  reason: string;
}

export class LiveClient {
  readonly frames: ReceivedFrame[] = [];
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<Closed>;
  /** Keep received images (false: only headers and times, for long runs). */
  keepImages = true;
  #seq = 0;
  #waiters: { until: (client: LiveClient) => boolean; resolve: () => void }[] = [];
  readonly #ready: Promise<ReadyMessage>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    let onReady: (ready: ReadyMessage) => void = () => undefined;
    this.#ready = new Promise((resolve) => {
      onReady = resolve;
    });
    ws.on('message', (data, isBinary) => {
      const bytes = data as Buffer;
      if (!isBinary) {
        const message = JSON.parse(bytes.toString('utf8')) as ServerMessage;
        this.messages.push(message);
        if (message.type === 'ready') onReady(message);
        return;
      }
      const { header, image } = decodeFrame(bytes);
      this.frames.push({
        header,
        image: this.keepImages ? Buffer.from(image) : Buffer.alloc(0),
        receivedAt: performance.now(),
      });
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.until(this)) return true;
        waiter.resolve();
        return false;
      });
    });
  }

  /** Opens `url` (ws://host/api/live?ticket=…); resolves when the socket is open or closed. */
  static async connect(url: string): Promise<LiveClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', () => undefined); // a refused or failed socket shows as its close code in `closed`
    const client = new LiveClient(ws);
    await Promise.race([once(ws, 'open'), client.closed]);
    return client;
  }

  hello(hello: Omit<HelloMessage, 'type'>): void {
    this.ws.send(JSON.stringify({ type: 'hello', ...hello }));
  }

  /** The worker's `ready`; throws with the close code and reason when the session ends before it. */
  async whenReady(): Promise<ReadyMessage> {
    return Promise.race([
      this.#ready,
      this.closed.then(({ code, reason }) => {
        throw new Error(`The live session closed before it was ready: ${code} ${reason}`);
      }),
    ]);
  }

  /**
   * Sends `count` frames, cycling through `frames`, `fps` a second as a camera would; resolves with
   * the last frame's sequence number once it is sent.
   */
  sendPaced(frames: readonly Uint8Array[], count: number, fps: number): Promise<number> {
    return new Promise((resolve) => {
      let sent = 0;
      const timer = setInterval(() => {
        const seq = this.sendFrame(frames[sent % frames.length] as Uint8Array);
        if (++sent === count) {
          clearInterval(timer);
          resolve(seq);
        }
      }, 1000 / fps);
    });
  }

  /** Sends one JPEG frame stamped with the next sequence number and now; returns the number. */
  sendFrame(jpeg: Uint8Array, captureMs = performance.now()): number {
    const seq = ++this.#seq;
    this.ws.send(encodeFrame({ seq, captureMs, format: 'jpeg' }, jpeg));
    return seq;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves on the first received frame after which `until` holds (or at once if it holds). */
  frameWhere(until: (client: LiveClient) => boolean): Promise<void> {
    if (until(this)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ until, resolve }));
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  get ready(): ReadyMessage | undefined {
    return this.ofType('ready')[0];
  }

  get lastStats(): StatsMessage | undefined {
    return this.ofType('stats').at(-1);
  }

  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, 'done');
    return this.closed;
  }
}
