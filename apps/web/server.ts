// The web server: Next.js, plus the forwarding of live sockets to the workers (docs/live.md §3),
// which a plain `next start` cannot do. `npm start` runs it; tests run it with --dev.
//   node --import tsx server.ts [--dev] [--port 3000] [--hostname 0.0.0.0]
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRedis } from '@visage/db';
import { clientAddress, trustedProxyList } from './src/server/client-ip.ts';
import { ConfigError, config } from './src/server/config.ts';
import { createLiveForwarder, isLiveUpgrade } from './src/server/live-forwarder.ts';
import { log } from './src/server/logger.ts';
import { securityHeaders } from './src/server/security-headers.ts';

const started = performance.now();
const { values } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    port: { type: 'string' },
    hostname: { type: 'string' },
  },
});
const dev = values.dev;
// Set before Next loads, as `next dev` / `next start` do.
(process.env as Record<string, string>).NODE_ENV ??= dev ? 'development' : 'production';
const envFile = path.resolve(import.meta.dirname, '../../.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

let settings: ReturnType<typeof config>;
try {
  settings = config();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const port = values.port ? Number(values.port) : settings.PORT;
const hostname = values.hostname;

const { default: next } = await import('next');
const app = next({ dev, dir: import.meta.dirname, port, ...(hostname ? { hostname } : {}) });
const handle = app.getRequestHandler();
await app.prepare();

const redis = createRedis(settings.REDIS_URL, `visage-web-live:${process.pid}`);
redis.on('error', (error) => log().warn({ err: error }, 'redis error (live forwarding; reconnecting)'));
const live = createLiveForwarder({
  redis,
  prefix: settings.REDIS_PREFIX,
  secret: settings.BETTER_AUTH_SECRET,
  log: log(),
});

const trustedProxies = trustedProxyList(settings.VISAGE_TRUSTED_PROXIES);
const server = http.createServer((req, res) => {
  // Set here, before Next, so every response has them: pages, route handlers, assets, 404s, errors.
  for (const [name, value] of Object.entries(securityHeaders({ dev, host: req.headers.host })))
    res.setHeader(name, value);
  // The one client address better-auth keys rate limits on (docs/security.md §8).
  const client = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
  if (client) req.headers['x-forwarded-for'] = client;
  else delete req.headers['x-forwarded-for'];
  handle(req, res).catch((error: unknown) => {
    log().error({ err: error, url: req.url }, 'request failed');
    if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
  });
});
// Next attaches its own upgrade listener to this server on the first request (its dev HMR socket;
// it leaves paths it has no route for, like /api/live, alone), so only the live sockets are ours.
// Node's limit on receiving a whole request (default 5 min) must not cut off a long upload before
// its own deadline does (docs/security.md §7); headers still have to arrive within headersTimeout.
server.requestTimeout = settings.VISAGE_UPLOAD_DEADLINE_MS + 10_000;
server.on('upgrade', (req, socket, head) => {
  if (isLiveUpgrade(req)) void live.forward(req, socket, head);
});
server.listen(port, hostname, () => {
  const shown = hostname && hostname !== '0.0.0.0' ? hostname : 'localhost';
  console.log(`Ready in ${Math.round(performance.now() - started)}ms on http://${shown}:${port}`);
});

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  log().info({ signal }, 'web server stopping');
  live.close();
  server.close();
  server.closeAllConnections();
  Promise.all([redis.quit(), app.close()]).then(
    () => process.exit(0),
    (error: unknown) => {
      log().error({ err: error }, 'error while stopping the web server');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
