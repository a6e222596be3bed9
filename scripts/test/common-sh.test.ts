// scripts/lib/common.sh helpers that setup.sh and start.sh rely on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './sandbox.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-common-'));

function bash(script: string, env: Record<string, string> = {}) {
  const result = spawnSync('bash', ['-c', `source '${repoRoot}/scripts/lib/common.sh'\n${script}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('common.sh', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('load_env_file should export the file, unquoted, without overriding the environment', () => {
    const file = path.join(dir, '.env');
    writeFileSync(
      file,
      [
        '# comment',
        'DATABASE_URL=postgresql://from-file',
        'REDIS_URL="redis://quoted"',
        "LOG_LEVEL='debug'",
        'export PORT=4000',
        'EMPTY=',
        'not a variable line',
        'WITH_EQUALS=a=b=c',
      ].join('\n'),
    );
    const { stdout } = bash(
      `load_env_file '${file}'; printf '%s|' "$DATABASE_URL" "$REDIS_URL" "$LOG_LEVEL" "$PORT" "\${EMPTY-unset}" "$WITH_EQUALS"`,
      { DATABASE_URL: 'postgresql://from-env' },
    );
    expect(stdout).toBe('postgresql://from-env|redis://quoted|debug|4000||a=b=c|');
  });

  it('url_host_port should fill in the default ports', () => {
    expect(bash(`url_host_port postgresql://u:p@db.example:6543/x`).stdout).toBe('db.example 6543');
    expect(bash(`url_host_port postgresql://u:p@127.0.0.1/x`).stdout).toBe('127.0.0.1 5432');
    expect(bash(`url_host_port redis://[::1]`).stdout).toBe('::1 6379');
  });

  it('port_open should tell a listening port from a closed one', () => {
    const redisPort = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379';
    expect(bash(`port_open 127.0.0.1 ${redisPort}`).code).toBe(0);
    expect(bash('port_open 127.0.0.1 1').code).toBe(1);
  });

  it('die should print the problem and what to do, and exit 1', () => {
    const { code, stderr } = bash(`die "PostgreSQL is down." "Start it with: x"; echo unreachable`);
    expect(code).toBe(1);
    expect(stderr).toContain('error: PostgreSQL is down.');
    expect(stderr).toContain('Start it with: x');
  });
});
