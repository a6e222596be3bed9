// Ids from paths, query strings and forms are checked before they reach the database: PostgreSQL
// refuses some strings outright (a NUL byte), which would otherwise surface as a 500.
import { HttpError } from './request-caller.ts';

// Visage's ids are UUIDs; the pattern also admits the other usual id alphabets (cuid, nanoid).
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `id` when it can be a record id; otherwise a 400 naming the problem. */
export function recordId(id: string, what: 'asset' | 'job'): string {
  if (RECORD_ID.test(id)) return id;
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
  throw new HttpError(400, `${shown} is not a valid ${what} id`, 'BAD_REQUEST');
}
