// The browser end of a live socket (docs/live.md): JSON control messages one way and the other,
// binary frames, and the close code with its reason. Shared by the Live page and the output view.
import type { ClientMessage, ServerMessage } from '@visage/db/live/protocol';

export interface LiveSocketHandlers {
  onOpen?(): void;
  onMessage?(message: ServerMessage): void;
  onFrame?(data: ArrayBuffer): void;
  /** Once, however the socket ended (a failed connection reads 1006 with no reason). */
  onClose(code: number, reason: string): void;
}

export interface LiveSocket {
  send(message: ClientMessage): void;
  sendFrame(bytes: Uint8Array): void;
  /** Bytes queued but not yet sent: a slow uplink shows here. */
  readonly buffered: number;
  close(): void;
}

/** Opens `path` (from live.start or live.watch) on the page's own origin. */
export function openLiveSocket(path: string, handlers: LiveSocketHandlers): LiveSocket {
  const ws = new WebSocket(window.location.origin.replace(/^http/, 'ws') + path);
  ws.binaryType = 'arraybuffer';
  let closed = false;
  // The whole reason of a close, which the close frame itself may carry only cut short.
  let ended: string | undefined;
  ws.onopen = () => handlers.onOpen?.();
  ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
    if (closed) return;
    if (typeof event.data !== 'string') return handlers.onFrame?.(event.data);
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch (error) {
      // A text message that is not JSON is the server's bug; the stream itself goes on.
      console.warn('live: ignoring a text message that is not JSON', error);
      return;
    }
    if (message.type === 'ended') ended = message.message;
    handlers.onMessage?.(message);
  };
  ws.onclose = (event) => {
    if (closed) return;
    closed = true;
    handlers.onClose(event.code, ended ?? event.reason);
  };
  const open = () => ws.readyState === WebSocket.OPEN;
  return {
    send(message) {
      if (open()) ws.send(JSON.stringify(message));
    },
    sendFrame(bytes) {
      // encodeFrame allocates a plain ArrayBuffer (never a shared one).
      if (open()) ws.send(bytes as Uint8Array<ArrayBuffer>);
    },
    get buffered() {
      return ws.bufferedAmount;
    },
    close() {
      closed = true; // the caller chose to leave: no onClose for it
      if (ws.readyState === WebSocket.CONNECTING || open()) ws.close(1000, 'Stopped');
    },
  };
}
