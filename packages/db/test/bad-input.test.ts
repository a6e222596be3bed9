// The bad-input corpus through MediaStore.ingest (docs/reliability.md §6): every file gets its typed
// error naming the problem, or is stored with the right facts; a refused file leaves the store as it
// was (no partial file, nothing in tmp/). Prints the case → outcome table.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_INPUT_CORPUS, CORPUS_LIMITS, type CorpusCase } from '../src/media/bad-input-corpus.ts';
import {
  cleanFileName,
  MAX_NAME_CHARS,
  MediaError,
  MediaStore,
  type StoredMedia,
} from '../src/media/index.ts';
import { chunked } from '../src/media/testing.ts';

let dir: string;
let store: MediaStore;
const table: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bad-input-'));
  store = new MediaStore(path.join(dir, 'store'), CORPUS_LIMITS);
});
afterAll(async () => {
  console.log(`bad-input corpus (${table.length} cases):\n${table.join('\n')}`);
  await rm(dir, { recursive: true, force: true });
});

/** Every file under the store root, tmp/ included, relative to it. */
async function storeFiles(): Promise<string[]> {
  const entries = await readdir(store.root, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(store.root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Ingests a case's bytes in 4 KiB chunks, as an upload arrives; the outcome is a result or an error. */
async function ingest(testCase: CorpusCase): Promise<StoredMedia | unknown> {
  const scratch = await mkdtemp(path.join(dir, `${testCase.id}-`));
  const bytes = await testCase.build(scratch);
  const { source, progress } = chunked(bytes, 4096);
  const declared = testCase.declaredBytes === undefined ? bytes.byteLength : testCase.declaredBytes;
  const outcome = await store
    .ingest(source, { originalName: testCase.name, declaredBytes: declared ?? undefined })
    .catch((error: unknown) => error);
  // A file refused for its size is not read past the limit.
  if (outcome instanceof MediaError && outcome.code === 'TOO_LARGE') {
    expect(progress.closed).toBe(true);
    expect(progress.yielded * 4096).toBeLessThanOrEqual(CORPUS_LIMITS.maxImageBytes + 4096);
  }
  return outcome;
}

describe('bad-input corpus through MediaStore.ingest', () => {
  it('should have at least 30 cases with distinct ids', () => {
    const ids = BAD_INPUT_CORPUS.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(BAD_INPUT_CORPUS.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    const before = await storeFiles();
    const outcome = await ingest(testCase);
    const after = await storeFiles();

    if ('refused' in testCase.outcome) {
      if (!(outcome instanceof MediaError)) {
        throw new Error(`expected a MediaError ${testCase.outcome.refused}, got ${show(outcome)}`);
      }
      table.push(`${testCase.id} → ${outcome.code} ${outcome.status}: ${outcome.message}`);
      expect(outcome.code).toBe(testCase.outcome.refused);
      expect(outcome.message).toMatch(testCase.outcome.message);
      expect(outcome.message).toContain(JSON.stringify(testCase.name)); // names the file
      expect(outcome.message).not.toContain(store.root); // and never a server path
      expect(after).toEqual(before); // no partial file, no preview, nothing left in tmp/
      return;
    }
    if (outcome instanceof Error) throw outcome;
    const stored = outcome as StoredMedia;
    table.push(`${testCase.id} → stored ${stored.mime} ${stored.width}×${stored.height}`);
    expect(stored).toMatchObject(testCase.outcome.accepted);
    expect(after).toEqual([...before, stored.storageKey, stored.thumbnailKey].sort()); // nothing else
    await checkPreview(testCase.id, stored);
  });
});

describe('uploaded file names', () => {
  const long = `${'n'.repeat(300)}.png`;
  it.each([
    ['path separators', '../../etc/passwd.png', 'passwd.png'],
    ['a Windows path', 'C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['NUL and newlines', 'me\u0000.png\r\nX-Evil: 1', 'me.pngX-Evil: 1'],
    ['a direction override', 'photo\u202egnp.exe', 'photognp.exe'],
    ['unicode (decomposed é, emoji)', 'cafe\u0301 🙂.png', 'caf\u00e9 🙂.png'],
    ['half an emoji', 'x\ud83d.png', 'x.png'],
    ['only a path', '../..', undefined],
    ['nothing', '', undefined],
  ])('should clean %s', (_what, raw, clean) => {
    expect(cleanFileName(raw)).toBe(clean);
    table.push(`name ${JSON.stringify(raw)} → ${JSON.stringify(clean)}`);
  });

  it('should shorten a 300-character name to MAX_NAME_CHARS, keeping its extension', () => {
    const clean = cleanFileName(long) ?? '';
    expect(Array.from(clean)).toHaveLength(MAX_NAME_CHARS);
    expect(clean).toMatch(/^n+…\.png$/);
    const emoji = cleanFileName('🙂'.repeat(300)) ?? '';
    expect(Array.from(emoji)).toHaveLength(MAX_NAME_CHARS); // cut between code points, not inside one
    expect(emoji).not.toMatch(/\p{Cs}/u); // no half emoji left
    table.push(`name of 300 characters → ${MAX_NAME_CHARS} characters, extension kept`);
  });
});

function show(outcome: unknown): string {
  if (outcome instanceof Error) return `${outcome.name}: ${outcome.message}`;
  return `a stored file ${JSON.stringify(outcome)}`;
}

/** What a person sees of an accepted file: its preview, right side up and in sRGB. */
async function checkPreview(id: string, stored: StoredMedia): Promise<void> {
  const preview = sharp(store.absolutePath(stored.thumbnailKey));
  const meta = await preview.metadata();
  expect(meta).toMatchObject({ format: 'webp', space: 'srgb' });
  expect([meta.width, meta.height]).toEqual([Math.min(stored.width, 512), Math.min(stored.height, 512)]);
  if (id === 'png-alpha') expect(meta.hasAlpha).toBe(true);
  if (id === 'exif-rotated-jpeg') {
    // Stored 400×100 red|blue with orientation 6 (a quarter turn clockwise): red is on top.
    const { data, info } = await preview.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (y: number) => [...data.subarray(y * info.width * 3, y * info.width * 3 + 3)];
    expect(pixel(10)[0]).toBeGreaterThan(200); // red on top
    expect(pixel(info.height - 10)[2]).toBeGreaterThan(200); // blue at the bottom
  }
}
