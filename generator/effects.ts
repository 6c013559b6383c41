/**
 * What a build does to the world, passed in (as Observable Framework's
 * `build(config, effects)`): the file system it reads the book from and writes the site
 * to, the clock of the footer, the project folder, and how signals are held while the new
 * site is swapped in. Tests substitute them, e.g. a file system that fails at its Nth call.
 */
import * as fs from 'node:fs';

export type BuildFs = Pick<
  typeof fs,
  'readFileSync' | 'statSync' | 'lstatSync' | 'existsSync' | 'mkdirSync' | 'writeFileSync' | 'copyFileSync' | 'linkSync' | 'symlinkSync' | 'readlinkSync' | 'readdirSync' | 'renameSync' | 'rmSync'
>;

export interface BuildEffects {
  fs: BuildFs;
  /** When the build happened (the footer's "generated at"). */
  now(): Date;
  /** The project the book belongs to: paths are shown relative to it, its git history is the provenance. */
  cwd(): string;
  /** Runs `work` (synchronous: the swap of the site) with Ctrl-C and termination held, then delivers them. */
  holdSignals(work: () => void): Promise<void>;
  /** Whether the process that left a temporary folder behind is still running (then it is not cleaned up). */
  isRunning(pid: number): boolean;
}

export function nodeEffects(overrides: Partial<BuildEffects> = {}): BuildEffects {
  return { fs, now: () => new Date(), cwd: () => process.cwd(), holdSignals, isRunning, ...overrides };
}

const HELD_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * While a listener is installed the signal does not kill the process; it is queued and
 * delivered once `work` returns (within two turns of the event loop). Then it is raised
 * again so that it does what it would have done, unless someone else listens (--watch).
 */
async function holdSignals(work: () => void): Promise<void> {
  const held: NodeJS.Signals[] = [];
  const hold = (signal: NodeJS.Signals) => held.push(signal);
  for (const signal of HELD_SIGNALS) process.on(signal, hold);
  try {
    work();
    // A signal that came during `work` is dispatched by the event loop's next poll phase:
    // the second check phase from here comes after one.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    for (const signal of HELD_SIGNALS) process.off(signal, hold);
  }
  const signal = held[0];
  if (signal !== undefined && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
