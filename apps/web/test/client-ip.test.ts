// Which address a request's rate limits are keyed on (docs/security.md §8).
import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxyList } from '../src/server/client-ip.ts';
import { parseConfig } from '../src/server/config.ts';

const proxies = trustedProxyList(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

describe('clientAddress', () => {
  it.each([
    // [peer, X-Forwarded-For, client]
    ['198.51.100.7', undefined, '198.51.100.7'],
    ['198.51.100.7', '203.0.113.9', '198.51.100.7'], // an untrusted peer's header is ignored
    ['::ffff:198.51.100.7', '203.0.113.9', '198.51.100.7'],
    ['127.0.0.1', undefined, '127.0.0.1'],
    ['127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['127.0.0.1', '1.1.1.1, 203.0.113.9', '203.0.113.9'], // the left part is the client's to write
    ['127.0.0.1', '203.0.113.9, 10.1.2.3', '203.0.113.9'], // past a chain of trusted proxies
    ['10.9.9.9', ['203.0.113.9', '10.1.2.3'], '203.0.113.9'], // repeated headers
    ['127.0.0.1', '10.1.2.3, 10.4.5.6', '10.1.2.3'], // all trusted: the furthest one
    ['127.0.0.1', 'not-an-ip, 203.0.113.9', '203.0.113.9'],
    ['127.0.0.1', '203.0.113.9, garbage', '127.0.0.1'], // a malformed hop stops the walk
    ['fd00::1', '2001:db8::5', '2001:db8::5'],
    [undefined, '203.0.113.9', undefined],
  ] as const)('peer %s, X-Forwarded-For %j → %s', (peer, forwarded, expected) => {
    expect(clientAddress(peer, forwarded as string | string[] | undefined, proxies)).toBe(expected);
  });

  it('should believe no header when no proxy is trusted', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', trustedProxyList([]))).toBe('127.0.0.1');
  });
});

describe('VISAGE_TRUSTED_PROXIES', () => {
  const env = {
    NODE_ENV: 'test' as const,
    BETTER_AUTH_SECRET: 'x'.repeat(32),
    DATABASE_URL: 'postgresql://u@h/d',
    REDIS_URL: 'redis://h:6379',
  };

  it('should accept addresses and CIDR ranges', () => {
    const c = parseConfig({ ...env, VISAGE_TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8 ,fd00::/8' });
    expect(c.VISAGE_TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  });

  it.each(['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '300.1.1.1'])('should refuse %s', (value) => {
    expect(() => parseConfig({ ...env, VISAGE_TRUSTED_PROXIES: value })).toThrow(
      /VISAGE_TRUSTED_PROXIES: must list IP addresses or CIDR ranges/,
    );
  });
});
