// A loopback TCP proxy a test puts in front of a service (PostgreSQL) so it can take the service away
// and give it back: `cut()` resets every open connection and every new one until `restore()`.
import { once } from 'node:events';
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted and forwarded so far. */
  forwarded(): number;
  /** Resets (RST) every open connection; new ones are reset too until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards each connection to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let isCut = false;
  let forwarded = 0;
  const server = net.createServer((client) => {
    // A reset, not a close: the client sees ECONNRESET as it would if the server went away. The
    // listener stays open (not re-bound later), so no other process can take the port meanwhile.
    if (isCut) return client.resetAndDestroy();
    forwarded++;
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    const drop = (socket: net.Socket) => () => {
      open.delete(socket);
      // Either side ending takes the other with it, so the client notices a dead upstream.
      if (socket === client) upstream.destroy();
      else client.destroy();
    };
    client.on('close', drop(client)).on('error', () => undefined);
    upstream.on('close', drop(upstream)).on('error', () => undefined);
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    forwarded: () => forwarded,
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
  };
}
