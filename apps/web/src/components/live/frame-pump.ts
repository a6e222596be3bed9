// Camera pictures → JPEG frames for the live socket (docs/live.md). The camera is drawn into a
// canvas of the size the hello announced (cropped to fill it), and a new frame is sent only once
// the previous one came back or INTERVAL_MS passed: the worker keeps only the latest frame anyway,
// so sending faster would only fill the uplink.
import { encodeFrame } from '@visage/db/live/protocol';

const INTERVAL_MS = 100;
const QUALITY = 0.8;
/** A socket with this much still unsent is not given more (a slow uplink). */
const MAX_BUFFERED = 512 * 1024;

export interface FramePump {
  /** An output frame came back for input `seq`. */
  answered(seq: number): void;
  stop(): void;
}

function drawCover(ctx: CanvasRenderingContext2D, video: HTMLVideoElement, width: number, height: number) {
  const scale = Math.max(width / video.videoWidth, height / video.videoHeight);
  const w = width / scale;
  const h = height / scale;
  ctx.drawImage(video, (video.videoWidth - w) / 2, (video.videoHeight - h) / 2, w, h, 0, 0, width, height);
}

const toJpeg = (canvas: HTMLCanvasElement) =>
  new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));

export function startFramePump({
  video,
  width,
  height,
  send,
  buffered,
}: {
  video: HTMLVideoElement;
  width: number;
  height: number;
  send(frame: Uint8Array): void;
  buffered(): number;
}): FramePump {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  let seq = 0;
  let lastSent = -1;
  let lastAnswered = -1;
  let sentAt = 0;
  let busy = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(tick, Math.max(0, ms));
  };

  async function tick() {
    if (stopped || busy || !ctx) return;
    const waited = performance.now() - sentAt;
    const ready = lastAnswered >= lastSent || waited >= INTERVAL_MS;
    if (!ready || video.readyState < video.HAVE_CURRENT_DATA || buffered() > MAX_BUFFERED)
      return schedule(ready ? 20 : INTERVAL_MS - waited);
    busy = true;
    try {
      const captureMs = performance.now();
      drawCover(ctx, video, width, height);
      const blob = await toJpeg(canvas);
      if (stopped || !blob) return;
      const frameSeq = seq++;
      send(
        encodeFrame({ seq: frameSeq, captureMs, format: 'jpeg' }, new Uint8Array(await blob.arrayBuffer())),
      );
      lastSent = frameSeq;
      sentAt = captureMs;
    } finally {
      busy = false;
      schedule(INTERVAL_MS - (performance.now() - sentAt));
    }
  }

  schedule(0);
  return {
    answered(answeredSeq) {
      if (answeredSeq <= lastAnswered) return;
      lastAnswered = answeredSeq;
      if (answeredSeq >= lastSent) schedule(0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
