// The worker's handler table: each enabled plugin's queue has exactly one handler, or it does not start.
import { describe, expect, it } from 'vitest';
import { assignHandlers, HandlerTableError, type QueueHandler } from '../src/jobs/registry.ts';

const handler = (queue: string, owner: string): QueueHandler => ({
  queue,
  owner,
  process: () => Promise.resolve('succeeded'),
  failedByQueue: () => Promise.resolve(),
});

describe(assignHandlers.name, () => {
  it('should give each plugin queue its one handler', () => {
    const faceswap = handler('jobs-faceswap', 'plugin "faceswap"');
    const test = handler('jobs-test', 'plugin "test"');
    expect(assignHandlers(['faceswap', 'test'], [faceswap, test])).toEqual(
      new Map([
        ['jobs-faceswap', faceswap],
        ['jobs-test', test],
      ]),
    );
  });

  it('should refuse a plugin without a handler and a queue two handlers claim, naming each', () => {
    const start = () =>
      assignHandlers(
        ['faceswap', 'liveportrait', 'test'],
        [handler('jobs-test', 'plugin "test"'), handler('jobs-test', 'model commands')],
      );
    expect(start).toThrow(HandlerTableError);
    expect(start).toThrow(
      'The worker cannot start: plugin "faceswap" has no handler for its queue "jobs-faceswap"; ' +
        'plugin "liveportrait" has no handler for its queue "jobs-liveportrait"; ' +
        'queue "jobs-test" is claimed by 2 handlers (plugin "test", model commands).',
    );
  });
});
