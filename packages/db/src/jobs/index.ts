export * from './catalogue.ts';
export * from './events.ts';
export * from './repository.ts';
export * from './retrying.ts';
export * from './transitions.ts';
export * from './workers.ts';
