// Live sockets reach the workers through the web app's own origin (docs/live.md §3): an upgrade of
// `/api/live` is forwarded, bytes untouched, to the live endpoint of the worker its ticket names,
// as that worker's heartbeat publishes it. A refused socket is accepted here only to be closed with
// the reason, because a browser sees a close code but never the status of a failed upgrade.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WorkerPresence, workerKey } from '@visage/db/jobs';
import { LIVE_CLOSE, LIVE_PATH, LiveTicketError, verifyLiveTicket } from '@visage/db/live';
import { createProxyServer } from 'http-proxy-3';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';

export const isLiveUpgrade = (req: IncomingMessage) =>
  new URL(req.url ?? '/', 'http://web').pathname === LIVE_PATH;

export interface LiveForwarder {
  forward(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  close(): void;
}

export function createLiveForwarder(deps: {
  redis: Redis;
  prefix: string;
  secret: string;
  log: Logger;
}): LiveForwarder {
  const { redis, prefix, secret, log } = deps;
  const proxy = createProxyServer({ ws: true, xfwd: true });
  proxy.on('error', (error, _req, socket) => {
    log.warn({ err: error }, 'live socket forwarding failed');
    if (socket && 'destroy' in socket) socket.destroy();
  });
  const refuser = new WebSocketServer({ noServer: true });
  const refuse = (req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string) => {
    log.info({ code, reason }, 'live socket refused by the web server');
    refuser.handleUpgrade(req, socket, head, (ws) => ws.close(code, reason));
  };

  return {
    async forward(req, socket, head) {
      try {
        const ticket = await verifyLiveTicket(
          secret,
          new URL(req.url ?? '/', 'http://web').searchParams.get('ticket'),
        );
        const presence = await redis.get(workerKey(prefix, ticket.workerId));
        const live = presence ? (JSON.parse(presence) as WorkerPresence).live : undefined;
        if (!live)
          return refuse(
            req,
            socket,
            head,
            LIVE_CLOSE.goingAway,
            'The worker of this ticket is gone: ask for a new ticket',
          );
        proxy.ws(req, socket, head, { target: live.url.replace(/^ws/, 'http') });
      } catch (error) {
        if (error instanceof LiveTicketError) return refuse(req, socket, head, error.code, error.message);
        log.error({ err: error }, 'live socket could not be forwarded');
        refuse(req, socket, head, LIVE_CLOSE.failed, 'The web server could not reach a worker');
      }
    },
    close() {
      refuser.close();
      proxy.close();
    },
  };
}
