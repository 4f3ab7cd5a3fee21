import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Faults, SimulatorStats } from '@cursor-cost-watch/simulator';
import type { SimRequest, SimStartArgs } from './simulator-process';

type Op = SimRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The campaign's handle on the simulator process: the API's URL, its faults, its stats and its ground truth. */
export class SimulatorProcess {
  private next = 1;
  private readonly waiting = new Map<number, (v: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: { id?: number; value?: unknown }) => {
      if (m.id !== undefined) this.waiting.get(m.id)?.(m.value);
      if (m.id !== undefined) this.waiting.delete(m.id);
    });
  }

  static async start(args: SimStartArgs): Promise<SimulatorProcess> {
    const child = fork(path.join(__dirname, 'simulator-process.ts'), [JSON.stringify(args)], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('no url'))));
      child.once('exit', (code) => reject(new Error(`the simulator process exited (${code}) before serving`)));
    });
    return new SimulatorProcess(child, url);
  }

  private ask<T>(op: Op): Promise<T> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (v: unknown) => void);
      this.child.send({ ...op, id });
    });
  }

  setFaults(faults: Partial<Faults>): Promise<void> {
    return this.ask({ op: 'faults', faults });
  }
  stats(): Promise<SimulatorStats> {
    return this.ask({ op: 'stats' });
  }
  resetStats(): Promise<void> {
    return this.ask({ op: 'resetStats' });
  }
  truth(startMs: number, endMs: number): Promise<[string, number][]> {
    return this.ask({ op: 'truth', startMs, endMs });
  }

  stop(): void {
    this.child.disconnect();
  }
}
