import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface ProgressOptions {
  /** Short label printed in front of every progress line, e.g. "temporal-cli". */
  label: string;
  /** Counters shown in the heartbeat: name -> test on one output line. */
  counters: Record<string, (line: string) => boolean>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log: (line: string) => void;
  /** Seconds between heartbeat lines. */
  every?: number;
}

/**
 * Runs a long build command, printing a heartbeat with counts of what it has done so far
 * (modules downloaded, packages compiled...) instead of thousands of raw lines. The last
 * lines of output are kept so a failure can be explained.
 */
export async function runWithProgress(command: string, args: string[], opts: ProgressOptions): Promise<void> {
  const started = Date.now();
  const counts = Object.fromEntries(Object.keys(opts.counters).map((k) => [k, 0]));
  const tail: string[] = [];
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    for (const [name, test] of Object.entries(opts.counters)) if (test(line)) counts[name]++;
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);
  const summary = (): string =>
    `${Math.round((Date.now() - started) / 1000)}s, ` +
    Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  const timer = setInterval(() => opts.log(`[${opts.label}] working: ${summary()}`), (opts.every ?? 10) * 1000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited with ${code}. Last output:\n${tail.join('\n')}`);
    }
    opts.log(`[${opts.label}] done: ${summary()}`);
  } finally {
    clearInterval(timer);
  }
}
