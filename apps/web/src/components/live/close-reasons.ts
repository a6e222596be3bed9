// What a live socket's close code means for the user and for what to do next (LIVE_CLOSE in
// packages/db/src/live/protocol.ts, docs/live.md).
import { LIVE_CLOSE } from '@visage/db/live/protocol';

/** Codes after which a new ticket may well work: the worker left, or had no free slot just then. */
const RENEWABLE = new Set<number>([LIVE_CLOSE.goingAway, LIVE_CLOSE.noSlot]);

export const shouldRenewTicket = (code: number) => RENEWABLE.has(code);

/** A sentence for the user; the server's reason when it gave one. */
export function describeClose(code: number, reason: string): string {
  if (reason) return reason;
  if (code === LIVE_CLOSE.normal) return 'The live session ended';
  if (code === 1006) return 'The connection to the server was lost';
  if (code === LIVE_CLOSE.goingAway) return 'The worker went away';
  return `The live session ended unexpectedly (code ${code})`;
}
