/** The worker's folder (worker/). */
export const workerDir: string;
/** Bundles `entryPoints` into `outdir`/<name>.cjs, as the worker's CLIs are bundled (bundle.mjs). */
export function bundle(entryPoints: string[], outdir: string): Promise<void>;
