// The repository's own test fixtures: present inside the checkout (a clone has nothing beside it)
// and the exact files their provenance notes describe.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASTRONAUT, FIXTURES_DIR } from '../src/testing.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('test fixtures', () => {
  it('should live inside the repository', () => {
    expect(path.relative(repoRoot, FIXTURES_DIR)).toBe('fixtures');
    expect(path.relative(repoRoot, ASTRONAUT)).toBe(path.join('fixtures', 'faces', 'astronaut.png'));
  });

  it('should hold the astronaut photo named in its provenance note, byte for byte', async () => {
    const note = await readFile(path.join(FIXTURES_DIR, 'faces', 'PROVENANCE.md'), 'utf8');
    const published = note.match(/sha256:\*\*\s*`([0-9a-f]{64})`/)?.[1];
    expect(published).toBe('88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5');
    const actual = createHash('sha256')
      .update(await readFile(ASTRONAUT))
      .digest('hex');
    expect(actual).toBe(published);
  });
});
