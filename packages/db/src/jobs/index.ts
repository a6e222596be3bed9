export * from './events.ts';
export * from './workers.ts';
