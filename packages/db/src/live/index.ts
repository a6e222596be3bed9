export * from './protocol.ts';
export * from './sessions.ts';
export * from './tickets.ts';
