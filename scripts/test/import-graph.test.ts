// docs/architecture.md §2.2 draws the package import graph; the drawing must be what `pnpm deps:graph`
// prints for the code as it is (the rules that forbid back-edges run as `pnpm deps:check`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './sandbox.ts';

describe('the import graph in docs/architecture.md', () => {
  it('should be the one dependency-cruiser draws from the code', () => {
    const drawn = execFileSync('pnpm', ['--silent', 'deps:graph'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    expect(drawn).toMatch(/^flowchart LR/);
    const doc = readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8');
    const block = doc.match(/```mermaid\n(flowchart LR[\s\S]*?)\n```/)?.[1];
    expect(
      block,
      'docs/architecture.md has no ```mermaid block with the graph: paste `pnpm deps:graph`',
    ).toBeDefined();
    // dependency-cruiser lists the same edges in varying order: compare the drawings line by line.
    const lines = (text: string) => text.trim().split('\n').sort();
    expect(lines(block ?? '')).toEqual(lines(drawn));
  });
});
