// The address of the client behind a request, for rate limits and session records (docs/security.md §8).
// X-Forwarded-For is anyone's to write, so it is believed only from the proxies listed in
// VISAGE_TRUSTED_PROXIES; server.ts replaces the header with the one address found here, which
// better-auth then keys its rate limits on.
import net from 'node:net';

/** A BlockList of the trusted proxies ("10.0.0.0/8", "127.0.0.1", "fd00::/8"; entries already validated). */
export function trustedProxyList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) → "10.0.0.1". */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isTrusted(address: string, trusted: net.BlockList): boolean {
  const family = net.isIP(address);
  return family !== 0 && trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address: the socket's peer, unless that is a trusted proxy; then the forwarded chain
 * is walked from the right (the hop the proxy added) past further trusted proxies to the first
 * address that is not one. A malformed hop ends the walk at the last address known to be real.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: net.BlockList,
): string | undefined {
  if (!peer) return undefined;
  let client = plain(peer);
  if (!isTrusted(client, trusted) || forwardedFor === undefined) return client;
  const hops = [forwardedFor]
    .flat()
    .flatMap((value) => value.split(','))
    .map((hop) => plain(hop.trim()))
    .filter(Boolean);
  for (const hop of hops.reverse()) {
    if (net.isIP(hop) === 0) return client;
    client = hop;
    if (!isTrusted(hop, trusted)) return client;
  }
  return client;
}
