export * from './pluginProxy';
export { matchTest, Tree } from './tree';
export { interpolateString } from './template';
export * as goUrl from './goUrl';
