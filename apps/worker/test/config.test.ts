import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/visage',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe(loadConfig.name, () => {
  it('should apply defaults to a minimal environment', () => {
    const config = loadConfig({ ...valid });
    expect(config.REDIS_PREFIX).toBe('visage');
    expect(config.LOG_FORMAT).toBe('pretty');
    expect(config.VISAGE_SHUTDOWN_TIMEOUT_MS).toBe(30_000);
  });

  it('should log JSON in production unless told otherwise', () => {
    expect(loadConfig({ ...valid, NODE_ENV: 'production' }).LOG_FORMAT).toBe('json');
    expect(loadConfig({ ...valid, NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
  });

  it('should name a missing variable', () => {
    expect(() => loadConfig({ REDIS_URL: valid.REDIS_URL })).toThrow(/DATABASE_URL: .*\(not set\)/);
  });

  it('should name every bad variable with the value it got', () => {
    let error: unknown;
    try {
      loadConfig({
        ...valid,
        REDIS_URL: 'localhost:6379',
        VISAGE_SHUTDOWN_TIMEOUT_MS: '-5',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL (got "localhost:6379")');
    expect(message).toContain('VISAGE_SHUTDOWN_TIMEOUT_MS');
    expect(message).toContain('LOG_LEVEL');
    expect(message).not.toContain('DATABASE_URL');
  });
});
