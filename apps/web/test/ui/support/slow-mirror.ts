// A local HTTP server standing in for a model mirror: it serves made-up weights in small chunks
// with pauses, so a download takes seconds and its progress can be watched (and cancelled).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modelCatalog } from '@visage/plugins/catalog';

export interface SlowFile {
  /** A catalog id whose entry is pointed at this server. */
  id: string;
  chunks: number;
  chunkBytes: number;
  delayMs: number;
}

export interface SlowMirror {
  /** sha256 of each model's bytes, as the catalog file gives it. */
  sha256: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the server and writes `catalogFile` (for VISAGE_MODEL_CATALOG) pointing the models at it. */
export async function startSlowMirror(files: SlowFile[], catalogFile: string): Promise<SlowMirror> {
  const bodies = new Map(
    files.map((f) => [
      f.id,
      {
        ...f,
        bytes: Buffer.alloc(f.chunks * f.chunkBytes, (f.id.length * 37) % 251).map((b, i) => (b + i) % 256),
      },
    ]),
  );
  const server: Server = createServer((req, res) => {
    const file = bodies.get(decodeURIComponent(req.url?.slice(1) ?? ''));
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    // No Range support: a resumed download starts over, which the downloader handles.
    res.writeHead(200, { 'content-length': file.bytes.length, 'content-type': 'application/octet-stream' });
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(file.bytes.subarray(sent * file.chunkBytes, (sent + 1) * file.chunkBytes));
      sent++;
      if (sent === file.chunks) {
        clearInterval(timer);
        res.end();
      }
    }, file.delayMs);
    res.on('close', () => clearInterval(timer));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sha256: Record<string, string> = {};
  const entries = [...bodies.values()].map((file) => {
    const entry = modelCatalog().find((m) => m.id === file.id);
    if (!entry) throw new Error(`${file.id} is not in the catalog`);
    sha256[file.id] = createHash('sha256').update(file.bytes).digest('hex');
    const source = {
      urls: [`${base}/${encodeURIComponent(file.id)}`],
      sha256: sha256[file.id],
      bytes: file.bytes.length,
    };
    const variant = { ...entry.variants[0], file: entry.file, ...source };
    return { ...entry, ...source, residentBytes: null, variants: [variant] };
  });
  await writeFile(catalogFile, JSON.stringify(entries, null, 2));
  return {
    sha256,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
