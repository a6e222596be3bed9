// Paste-back cost: our fused warp + feathered blend of a 512² face crop into a 1920×1080 frame, and our
// plain warpAffine of the crop, against sharp's affine (libvips, bilinear) doing only the warp of the
// same crop to a raw buffer. All three run interleaved in one loop so they share machine conditions.
import sharp from 'sharp';
import {
  affine,
  blurredBoxMask,
  composeAffine,
  createImage,
  decodeImage,
  pasteBack,
  pasteRegion,
  similarityAffine,
  warpAffine,
} from '../src/image/index.ts';
import { ASTRONAUT } from '../src/testing.ts';
import type { BenchResult } from './types.ts';

const CROP = ASTRONAUT;
const WARMUP = 5;
const ITERATIONS = 40;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

export async function run(): Promise<BenchResult> {
  const crop = await decodeImage(CROP);
  if (crop.width !== 512 || crop.height !== 512)
    throw new Error(`${CROP} is ${crop.width}×${crop.height}, expected 512²`);
  const frame = createImage(1920, 1080, 3);
  for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 7) & 255;
  // Crop → frame: rotate 10°, scale 0.5, crop centre onto the frame centre.
  const cropToFrame = similarityAffine(10, 0.5, [256, 256], [960 - 256, 540 - 256]);
  // FaceFusion's default box-mask blur 0.3 on a 512 crop: blur amount ⌊0.5·512·0.3⌋ = 76, so 38 rows
  // of zeros and σ = 19 (docs/models/face.md §7.1).
  const mask = blurredBoxMask(512, 512, { zero: 38, sigma: 19 });
  const region = pasteRegion(frame, crop, cropToFrame);
  // warpAffine into a buffer the size of the warped crop's bounding box, as sharp's affine outputs.
  const toRegion = composeAffine(affine(1, 0, -region.x, 0, 1, -region.y), cropToFrame);
  const warped = createImage(region.width, region.height, 3);
  const [a = 0, b = 0, , c = 0, d = 0] = cropToFrame;
  const sharpWarp = () =>
    sharp(crop.data, { raw: { width: 512, height: 512, channels: 3 } })
      .affine([a, b, c, d], { interpolator: sharp.interpolators.bilinear })
      .raw()
      .toBuffer({ resolveWithObject: true });

  const times = { warp: [] as number[], paste: [] as number[], sharp: [] as number[] };
  let sharpSize = '';
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    let t = performance.now();
    warpAffine(crop, toRegion, region.width, region.height, { out: warped });
    const warpMs = performance.now() - t;
    t = performance.now();
    pasteBack(frame, crop, cropToFrame, mask);
    const pasteMs = performance.now() - t;
    t = performance.now();
    const { info } = await sharpWarp();
    const sharpMs = performance.now() - t;
    sharpSize = `${info.width}×${info.height}`;
    if (i < WARMUP) continue;
    times.warp.push(warpMs);
    times.paste.push(pasteMs);
    times.sharp.push(sharpMs);
  }
  const warpMs = median(times.warp);
  const pasteMs = median(times.paste);
  const sharpMs = median(times.sharp);
  return {
    name: 'warp',
    metrics: {
      warpAffine_ms: warpMs,
      pasteBack_ms: pasteMs,
      sharp_affine_ms: sharpMs,
      sharp_over_warpAffine: sharpMs / warpMs,
      sharp_over_pasteBack: sharpMs / pasteMs,
      region_pixels: region.width * region.height,
      iterations: ITERATIONS,
    },
    key: ['pasteBack_ms', 'sharp_over_warpAffine', 'sharp_over_pasteBack'],
    summary:
      `512² crop → 1920×1080 (10°, ×0.5, ${region.width}×${region.height} px box; sharp ${sharpSize}), median of ${ITERATIONS}: ` +
      `warpAffine ${warpMs.toFixed(2)} ms, pasteBack (warp+mask+blend) ${pasteMs.toFixed(2)} ms, ` +
      `sharp affine (bilinear, warp only) ${sharpMs.toFixed(2)} ms → sharp/warpAffine ×${(sharpMs / warpMs).toFixed(2)}, ` +
      `sharp/pasteBack ×${(sharpMs / pasteMs).toFixed(2)}`,
  };
}
