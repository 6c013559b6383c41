/**
 * Undo steps for everything a bench or gate run starts (worktrees, servers, simulator, temp dirs),
 * run in reverse order once — at the end, on an error, or from a Ctrl-C handler while the
 * gate is still running. After `run()` has begun, a newly added step runs at once and the
 * caller is told to stop, so nothing started late is left behind.
 */
export class Cleanup {
  private readonly steps: Array<{ label: string; undo: () => Promise<void> | void }> = [];
  private running: Promise<string[]> | null = null;

  get started(): boolean {
    return this.running !== null;
  }

  /** Registers an undo step; if cleanup already began, runs it now and throws. */
  async add(label: string, undo: () => Promise<void> | void): Promise<void> {
    if (this.running) {
      await Promise.resolve(undo()).catch(() => {});
      throw new Error(`interrupted: ${label} undone`);
    }
    this.steps.push({ label, undo });
  }

  /** Runs every step (last added first); returns the failures as messages, never throws. Idempotent. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.undo();
        } catch (error) {
          failures.push(`${step.label}: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }
}
