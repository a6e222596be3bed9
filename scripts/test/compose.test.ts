// The compose files must validate with a real Compose implementation (Debian's docker-compose
// validates without a Docker engine) and keep the deployment promises of the README.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './sandbox.ts';

/** docker-compose v1 (works without an engine), else the docker compose plugin. */
function composeCommand(): string[] {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0)
    return ['docker', 'compose'];
  throw new Error(
    'No Compose implementation found: install one (Debian/Ubuntu: apt-get install docker-compose).',
  );
}

const env = { ...process.env, BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-00' };

function composeConfig(file: string, ...extra: string[]) {
  const [cmd, ...args] = composeCommand();
  const result = spawnSync(cmd as string, [...args, '-f', file, ...extra, 'config'], {
    encoding: 'utf8',
    env,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Service {
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; capabilities?: string[] }[] } } };
  healthcheck?: { test: string[] };
  volumes?: unknown[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  ports?: unknown[];
}

describe('docker-compose.yml (Linux + NVIDIA)', () => {
  const file = path.join(repoRoot, 'docker-compose.yml');
  const { code, stdout, stderr } = composeConfig(file);
  const config = parse(stdout ?? '') as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };

  it('should validate', () => {
    expect(code, stderr).toBe(0);
  });

  it('should run postgres, redis, web and a worker that reserves the NVIDIA GPU', () => {
    expect(Object.keys(config.services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'web', 'worker']),
    );
    const devices = config.services.worker?.deploy?.resources?.reservations?.devices;
    expect(devices).toEqual([expect.objectContaining({ driver: 'nvidia', capabilities: ['gpu'] })]);
  });

  it('should health-check the stores and start the apps only once they are healthy and migrated', () => {
    expect(config.services.postgres?.healthcheck?.test).toContain('pg_isready');
    expect(config.services.redis?.healthcheck?.test).toContain('redis-cli');
    for (const app of ['web', 'worker']) {
      expect(config.services[app]?.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('should keep the database, models and media in volumes', () => {
    expect(Object.keys(config.volumes)).toEqual(expect.arrayContaining(['postgres-data', 'models', 'media']));
    expect(JSON.stringify(config.services.worker?.volumes)).toContain('/data/models');
  });

  it('should give the models folder to the worker only: the web app asks the workers', () => {
    expect(JSON.stringify(config.services.web?.volumes)).not.toContain('/data/models');
    expect(JSON.stringify(config.services.web?.volumes)).toContain('/data/media');
    expect(config.services.web?.environment).not.toHaveProperty('VISAGE_MODELS_DIR');
    expect(config.services.worker?.environment).toMatchObject({ VISAGE_MODELS_DIR: '/data/models' });
  });
});

describe('docker-compose.mac.yml (Apple Silicon)', () => {
  const file = path.join(repoRoot, 'docker-compose.mac.yml');
  const plain = composeConfig(file);
  const withWeb = composeConfig(file, '--profile', 'web');

  it('should validate', () => {
    expect(plain.code, plain.stderr).toBe(0);
    expect(withWeb.code, withWeb.stderr).toBe(0);
  });

  it('should have no worker and nothing NVIDIA: the worker runs natively with CoreML', () => {
    const services = (parse(withWeb.stdout) as { services: Record<string, Service> }).services;
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'web']);
    expect(withWeb.stdout).not.toMatch(/nvidia|deploy:/);
  });

  it('should start the web app only when asked (profile "web")', () => {
    const raw = parse(readFileSync(file, 'utf8')) as { services: Record<string, Service> };
    expect(raw.services.web?.profiles).toEqual(['web']);
    expect(raw.services.postgres?.profiles).toBeUndefined();
    // Published on loopback so the native worker and `npm start` reach them.
    expect(JSON.stringify(raw.services.postgres?.ports)).toContain('127.0.0.1:');
    expect(JSON.stringify(raw.services.redis?.ports)).toContain('127.0.0.1:');
  });
});

describe('compose validation', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should reject a broken file (so the checks above can fail)', () => {
    const broken = path.join(dir, 'docker-compose.yml');
    copyFileSync(path.join(repoRoot, 'docker-compose.yml'), broken);
    writeFileSync(broken, `${readFileSync(broken, 'utf8')}\n  stray: [unclosed\n`);
    expect(composeConfig(broken).code).not.toBe(0);
    const wrongKey = path.join(dir, 'wrong-key.yml');
    writeFileSync(wrongKey, 'services:\n  web:\n    image: x\n    restart_policy_typo: always\n');
    expect(composeConfig(wrongKey).code).not.toBe(0);
  });
});
