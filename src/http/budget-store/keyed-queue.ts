/**
 * Runs tasks one at a time per key, in call order. The shared backends queue their own updates of one key
 * in-process first, so concurrent callers of one process do not fight each other over a row lock or a
 * compare-and-set: only other processes contend.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}
