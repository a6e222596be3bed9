// Test clips made from the public-domain astronaut photo (fixtures/faces in the repository).
import { run } from '@visage/ffmpeg';
import { ASTRONAUT } from '@visage/inference/testing';

export { ASTRONAUT };

/**
 * A size² (default 320²) clip of astronaut.png panning right (8 px per source frame) with a 440 Hz tone: `frames`
 * frames at `fps`; frames listed in `black` are painted black (no face to find).
 */
export async function writeAstronautClip(
  out: string,
  {
    frames = 12,
    fps = 10,
    black = [] as number[],
    size = 320,
    canvas,
  }: {
    frames?: number;
    fps?: number;
    black?: number[];
    size?: number;
    /** Centre the size² picture on a wider grey canvas (e.g. 1920×1080 around a 1080² picture). */
    canvas?: { width: number; height: number };
  } = {},
): Promise<void> {
  const blackout = black.map((n) => `drawbox=enable='eq(n,${n})':x=0:y=0:w=iw:h=ih:color=black:t=fill`);
  const pad = canvas ? [`pad=${canvas.width}:${canvas.height}:(ow-iw)/2:(oh-ih)/2:color=gray`] : [];
  const filters = [
    `crop=400:400:'min(88,n*8)':40`,
    `scale=${size}:${size}`,
    ...pad,
    ...blackout,
    'format=yuv420p',
  ];
  await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-nostdin', '-y'],
      ...['-loop', '1', '-framerate', String(fps), '-i', ASTRONAUT],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
      ...['-filter_complex', `[0:v]${filters.join(',')}[v]`, '-map', '[v]', '-map', '1:a'],
      ...['-frames:v', String(frames), '-t', String(frames / fps)],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-c:a', 'aac', out],
    ],
    'write the astronaut test clip',
  );
}
