/** Seconds per named step, in the order they ran. */
export class StepTimer {
  private readonly ms = new Map<string, number>();

  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.record(name, Date.now() - started);
    }
  }

  record(name: string, ms: number): void {
    this.ms.set(name, ms);
  }

  seconds(): Record<string, number> {
    return Object.fromEntries([...this.ms.entries()].map(([k, v]) => [k, v / 1000]));
  }
}
