import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImage, decodeImage, encodeImage, resizeImage } from '../src/image/index.ts';
import { ASTRONAUT } from '../src/testing.ts';

describe('decodeImage', () => {
  it('decodes the astronaut photo to 512×512 RGB, from a path or from bytes', async () => {
    const meta = await sharp(ASTRONAUT).metadata();
    expect([meta.width, meta.height]).toEqual([512, 512]);
    const img = await decodeImage(ASTRONAUT);
    expect([img.width, img.height, img.channels]).toEqual([meta.width, meta.height, 3]);
    expect(img.data).toHaveLength(512 * 512 * 3);
    const { data } = await sharp(ASTRONAUT).raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.from(img.data).equals(data)).toBe(true);
    const fromBytes = await decodeImage(new Uint8Array(await sharp(ASTRONAUT).png().toBuffer()));
    expect(Buffer.from(fromBytes.data).equals(data)).toBe(true);
  });

  it('applies the EXIF orientation (6 = rotate 90° clockwise)', async () => {
    // 4×2 image, left half red, right half blue, stored with orientation 6.
    const raw = createImage(4, 2, 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) raw.data[(y * 4 + x) * 3 + (x < 2 ? 0 : 2)] = 255;
    const png = await sharp(raw.data, { raw: { width: 4, height: 2, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([2, 4]);
    // Rotated clockwise, the left (red) half becomes the top.
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(img.data.subarray(img.data.length - 3))).toEqual([0, 0, 255]);
  });

  it('drops alpha unless asked, and expands greyscale to RGB', async () => {
    const rgba = await sharp({
      create: { width: 3, height: 2, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    expect((await decodeImage(rgba)).channels).toBe(3);
    const withAlpha = await decodeImage(rgba, { alpha: true });
    expect(withAlpha.channels).toBe(4);
    expect(withAlpha.data[3]).toBe(128);
    const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const g = await decodeImage(grey);
    expect(g.channels).toBe(3);
    expect(Array.from(g.data.subarray(3, 6))).toEqual([100, 100, 100]);
  });

  it('scales a 16-bit PNG down to 8 bits', async () => {
    const png16 = await sharp({
      create: { width: 2, height: 1, channels: 3, background: { r: 255, g: 128, b: 0 } },
    })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expect(Array.from((await decodeImage(png16)).data)).toEqual([255, 128, 0, 255, 128, 0]);
  });

  it('reports undecodable input with the cause', async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/decodeImage\(4 bytes\)/);
    await expect(decodeImage('/nonexistent/file.png')).rejects.toThrow(/nonexistent/);
  });
});

describe('encodeImage / resizeImage', () => {
  it('PNG round-trips exactly; JPEG and WebP decode close to the original', async () => {
    const img = await decodeImage(ASTRONAUT);
    const png = await encodeImage(img, 'png');
    expect(Buffer.from((await decodeImage(png)).data).equals(Buffer.from(img.data))).toBe(true);
    for (const format of ['jpeg', 'webp'] as const) {
      const bytes = await encodeImage(img, format, 92);
      expect((await sharp(bytes).metadata()).format).toBe(format);
      const back = await decodeImage(bytes);
      let sum = 0;
      for (let i = 0; i < img.data.length; i++) sum += Math.abs((back.data[i] ?? 0) - (img.data[i] ?? 0));
      expect(sum / img.data.length).toBeLessThan(4);
    }
    await expect(encodeImage(img, 'jpeg', 0)).rejects.toThrow(/quality/);
  });

  it('resizes to the requested size and keeps flat colours', async () => {
    // Opaque RGBA: colour 90, alpha 255 (sharp premultiplies, so a translucent flat colour may drift).
    const img = createImage(40, 30, 4);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : 90;
    const small = await resizeImage(img, 10, 7);
    expect([small.width, small.height, small.channels]).toEqual([10, 7, 4]);
    expect(small.data.every((v, i) => v === (i % 4 === 3 ? 255 : 90))).toBe(true);
    const wide = await resizeImage(createImage(40, 30, 3), 20, 20, { fit: 'inside' });
    expect([wide.width, wide.height, wide.channels]).toEqual([20, 15, 3]);
    await expect(resizeImage({ ...img, data: new Uint8Array(5) }, 2, 2)).rejects.toThrow(/needs 4800 bytes/);
  });
});
