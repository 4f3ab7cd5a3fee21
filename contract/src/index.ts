export * from './common';
export * from './incidents';
export * from './snoozes';
export * from './metrics';
export * from './users';
export * from './settings';
export * from './operations';
export * from './routes';
