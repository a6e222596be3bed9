// The worker's live endpoint (docs/live.md): a WebSocket server on its own port that the web server
// forwards `/api/live` to. It admits a socket only with a valid, unspent ticket issued for this
// worker, keeps the sessions within this worker's slots and each user's limit, and feeds each
// user's output views (watch tickets) with the frames of the user's newest session here.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '@visage/db';
import type { LivePresence } from '@visage/db/jobs';
import {
  closeSession,
  LIVE_CLOSE,
  LIVE_PATH,
  type LiveSessionInfo,
  type LiveTicket,
  LiveTicketError,
  openSession,
  refreshSession,
  spendTicket,
  verifyLiveTicket,
} from '@visage/db/live';
import type { MediaStore } from '@visage/db/media';
import type { SelectedDevice } from '@visage/device';
import type { ModelLease } from '@visage/inference';
import type { Plugin } from '@visage/plugins';
import type { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import { closeReason, LiveClose } from './inputs.ts';
import { LiveSession, MAX_BUFFERED_BYTES } from './session.ts';

export interface LiveServerOptions {
  port: number;
  host: string;
  /** The URL the web server reaches this worker at; default ws://<host>:<port>. */
  advertiseUrl?: string;
  slots: number;
  sessionsPerUser: number;
  maxRecordMs: number;
  secret: string;
}

export interface LiveServerDeps {
  workerId: string;
  /** A session started or ended (the heartbeat publishes the free slots at once). */
  onSlotsChanged(): void;
  redis: Redis;
  prefix: string;
  db: Db;
  media: MediaStore;
  plugins: readonly Plugin[];
  models: { acquire(id: string): Promise<ModelLease> };
  device: SelectedDevice;
  log: Logger;
}

export interface LiveServer {
  readonly url: string;
  /** What the heartbeat publishes. */
  presence(): LivePresence;
  /** Keeps this worker's sessions alive in Redis (called with the heartbeat). */
  refresh(): Promise<void>;
  /** Ends every session (close 1001) and stops listening. */
  stop(): Promise<void>;
}

/** Largest message a client may send: a 4096² JPEG is well under it. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export async function startLiveServer(options: LiveServerOptions, deps: LiveServerDeps): Promise<LiveServer> {
  const { log, redis, prefix, workerId } = deps;
  const livePlugins = deps.plugins.filter((p) => p.openLive);
  const sessions = new Map<string, { session: LiveSession; info: LiveSessionInfo }>();
  const watchers = new Map<string, Set<WebSocket>>(); // by user id
  const newest = new Map<string, LiveSession>(); // each user's newest session here

  const http_ = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({
    server: http_,
    path: LIVE_PATH,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });

  const refuse = (ws: WebSocket, code: number, reason: string) => {
    log.info({ code, reason }, 'live socket refused');
    ws.resume(); // a paused socket would never read the client's answer to the close
    ws.send(JSON.stringify({ type: 'ended', code, message: reason }));
    ws.close(code, closeReason(reason));
  };

  const watchersOf = (userId: string) => {
    const set = watchers.get(userId) ?? new Set<WebSocket>();
    watchers.set(userId, set);
    return set;
  };

  const broadcastFor = (userId: string, session: () => LiveSession) => (frame: Uint8Array) => {
    if (newest.get(userId) !== session()) return;
    for (const watcher of watchers.get(userId) ?? [])
      if (watcher.readyState === watcher.OPEN && watcher.bufferedAmount <= MAX_BUFFERED_BYTES)
        watcher.send(frame);
  };

  const admitSession = async (ws: WebSocket, ticket: LiveTicket) => {
    const plugin = livePlugins.find((p) => p.id === ticket.plugin);
    if (!plugin) throw new LiveClose(LIVE_CLOSE.protocol, `This worker runs no live ${ticket.plugin}`);
    if (sessions.size >= options.slots)
      throw new LiveClose(LIVE_CLOSE.noSlot, `All ${options.slots} live slots of this worker are taken`);
    const info: LiveSessionInfo = {
      id: randomUUID(),
      userId: ticket.userId,
      workerId,
      plugin: ticket.plugin,
      startedAt: new Date().toISOString(),
    };
    if (!(await openSession(redis, prefix, info, options.sessionsPerUser)))
      throw new LiveClose(
        LIVE_CLOSE.tooManySessions,
        `You already have ${options.sessionsPerUser} live sessions open; stop one first`,
      );
    const session: LiveSession = new LiveSession(info.id, ws, ticket, {
      ...deps,
      plugin,
      workerId,
      maxRecordMs: options.maxRecordMs,
      broadcast: broadcastFor(ticket.userId, () => session),
    });
    sessions.set(info.id, { session, info });
    newest.set(ticket.userId, session);
    deps.onSlotsChanged();
    ws.on('close', () => {
      session.close();
      sessions.delete(info.id);
      deps.onSlotsChanged();
      if (newest.get(ticket.userId) === session) {
        newest.delete(ticket.userId);
        for (const watcher of watchers.get(ticket.userId) ?? [])
          watcher.close(LIVE_CLOSE.sessionEnded, 'The live session ended');
      }
      closeSession(redis, prefix, info).catch((error: unknown) =>
        log.warn({ err: error, liveSession: info.id }, 'could not remove the ended live session from Redis'),
      );
    });
  };

  const admitWatcher = (ws: WebSocket, ticket: LiveTicket) => {
    if (!newest.has(ticket.userId))
      throw new LiveClose(LIVE_CLOSE.sessionEnded, 'No live session is running');
    const set = watchersOf(ticket.userId);
    set.add(ws);
    ws.on('close', () => set.delete(ws));
    ws.on('message', () => ws.close(LIVE_CLOSE.protocol, 'An output view only receives'));
  };

  wss.on('connection', (ws, req) => {
    ws.on('error', (error) => log.warn({ err: error }, 'live socket error'));
    // Messages that arrive while the ticket is checked are kept by ws until a listener takes them.
    ws.pause();
    const token = new URL(req.url ?? '', 'http://worker').searchParams.get('ticket');
    (async () => {
      const ticket = await verifyLiveTicket(options.secret, token);
      if (ticket.workerId !== workerId)
        throw new LiveClose(LIVE_CLOSE.wrongWorker, 'This ticket was issued for another worker');
      if (!(await spendTicket(redis, prefix, ticket.id, ticket.expiresAt)))
        throw new LiveClose(
          LIVE_CLOSE.ticketReplayed,
          'This ticket has already been used: ask for a new one',
        );
      if (ticket.kind === 'watch') admitWatcher(ws, ticket);
      else await admitSession(ws, ticket);
      ws.resume();
    })().catch((error: unknown) => {
      if (error instanceof LiveTicketError || error instanceof LiveClose)
        return refuse(ws, error.code, error instanceof LiveClose ? error.reason : error.message);
      log.error({ err: error }, 'live socket could not be admitted');
      refuse(ws, LIVE_CLOSE.failed, 'The worker could not admit the session');
    });
  });

  http_.listen(options.port, options.host);
  await once(http_, 'listening');
  const { port } = http_.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = options.advertiseUrl ?? `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, slots: options.slots, plugins: livePlugins.map((p) => p.id) }, 'live endpoint listening');

  return {
    url,
    presence: () => ({
      url,
      slots: options.slots,
      active: sessions.size,
      plugins: livePlugins.map((p) => p.id),
    }),
    async refresh() {
      await Promise.all([...sessions.values()].map(({ info }) => refreshSession(redis, prefix, info)));
    },
    async stop() {
      const running = [...sessions.values()].map(({ session }) => session);
      for (const session of running) session.close(LIVE_CLOSE.goingAway, 'The worker is shutting down');
      for (const set of watchers.values())
        for (const ws of set) ws.close(LIVE_CLOSE.goingAway, 'The worker is shutting down');
      await Promise.all(running.map((s) => s.finished));
      wss.close();
      http_.closeAllConnections();
      await new Promise<void>((resolve) => http_.close(() => resolve()));
    },
  };
}
