// Frame rates travel as numbers in the API but as exact rationals to ffmpeg, so that 29.97 means
// 30000/1001 and the output's timestamps do not drift from the source's.

/** "30000/1001" → 29.97002997…; undefined for "0/0" (unknown) or garbage. */
export function parseRational(text: string | undefined): number | undefined {
  const [num, den = 1] = (text ?? '').split('/').map(Number);
  if (num === undefined || !Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) {
    return undefined;
  }
  return num / den;
}

/** 25 → "25", 29.97 → "30000/1001" (the NTSC rates), 12.5 → "25/2", else millihertz precision. */
export function fpsToRational(fps: number): string {
  if (!Number.isFinite(fps) || fps <= 0) throw new RangeError(`fps must be a positive number (got ${fps})`);
  const whole = Math.round(fps);
  if (Math.abs(fps - whole) < 1e-6) return String(whole);
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 1e-3) return `${ntsc * 1000}/1001`;
  const halves = Math.round(fps * 2);
  if (Math.abs(fps - halves / 2) < 1e-6) return `${halves}/2`;
  return `${Math.round(fps * 1000)}/1000`;
}
