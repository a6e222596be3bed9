// The security headers of every response (pages, route handlers, Next's assets, 404s, redirects):
// server.ts sets them before Next sees the request, so no path can miss them (docs/security.md §5).

/** A Host header fit to name in the policy: a host name or [IPv6] address and an optional port. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The Content-Security-Policy. Next's pages carry inline bootstrap scripts and styles, so those need
 * 'unsafe-inline'; development adds 'unsafe-eval' for React Refresh. Media and thumbnails come from
 * /api/media (and blob:/data: URLs the UI makes); the live socket and Next's dev socket connect back to
 * this host over ws:/wss:, named explicitly for browsers whose 'self' does not cover them.
 */
export function contentSecurityPolicy({ dev, host }: { dev: boolean; host: string | undefined }): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders({ dev, host }: { dev: boolean; host: string | undefined }) {
  return {
    'content-security-policy': contentSecurityPolicy({ dev, host }),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    // The Live page uses the camera; nothing uses the rest.
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
  } as const;
}
