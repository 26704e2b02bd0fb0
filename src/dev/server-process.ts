import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { somethingListens } from './ports';

/**
 * How long a Temporal server may take to answer gRPC. The SDK gives its servers 5 s, which a JVM
 * on a busy 2-core machine misses; the wait ends as soon as the server answers, so a long one
 * costs nothing on an idle machine.
 */
export const SERVER_READY_TIMEOUT_MS = 120_000;

/** How long a stopped server may take to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/** The last part of the output kept for error messages; older output is dropped. */
const OUTPUT_KEPT = 16_000;

export interface ServerProcessOptions {
  /** What it is, for messages, e.g. "the Temporal time-skipping test server". */
  name: string;
  command: string;
  args: string[];
  /** The loopback port its gRPC frontend listens on once it is up. */
  port: number;
  readyTimeoutMs?: number;
  /** Copies its output to ours as well (npm start shows the dev server's warnings). */
  echo?: boolean;
}

/** A server that did not come up; `exitedEarly` when it ended by itself (e.g. its port was taken). */
export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly exitedEarly: boolean,
  ) {
    super(message);
  }
}

// On Linux, the kernel kills the server when the process that started it dies, however it dies
// (a jest worker killed at the end of a run, npm start killed with SIGKILL), so no server is left
// behind. setpriv (util-linux) sets that up and then runs the server in its own place (same pid).
const SETPRIV = '/usr/bin/setpriv';
const diesWithUs = (command: string, args: string[]): [string, string[]] =>
  fs.existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];

/**
 * A Temporal server as a child process of ours: started, awaited until a gRPC call answers,
 * stopped. Its output is kept, so a server that never listens is reported with what it said.
 */
export class ServerProcess {
  readonly address: string;
  private output = '';
  private stopping = false;
  private exitStatus: string | undefined;
  private readonly exited: Promise<void>;
  // Where setpriv is missing: our process ending normally without a stop takes the server along.
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly options: ServerProcessOptions,
    private readonly child: ChildProcess,
  ) {
    this.address = `127.0.0.1:${options.port}`;
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT);
      if (options.echo && !this.stopping) stream.write(chunk); // not its shutdown chatter
    };
    child.stdout!.on('data', collect(process.stdout));
    child.stderr!.on('data', collect(process.stderr));
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.exitStatus = `could not be started (${err.message})`;
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.exitStatus = signal ? `was ended by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
    process.on('exit', this.killOnExit);
    void this.exited.then(() => process.off('exit', this.killOnExit));
  }

  /** Starts the server and resolves once it answers gRPC; if it never does, it is stopped and the error says why. */
  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const [command, args] = diesWithUs(options.command, options.args);
    // A process group of its own: a terminal's Ctrl-C reaches us, and we stop the server in order
    // (after the worker that uses it), rather than the server going first.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const server = new ServerProcess(options, child);
    try {
      await server.untilServing(options.readyTimeoutMs ?? SERVER_READY_TIMEOUT_MS);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once the process has exited (or never started). */
  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const grace = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(grace);
  }

  private async untilServing(timeoutMs: number): Promise<void> {
    const started = Date.now();
    let lastError = 'nothing listened on the port';
    while (Date.now() - started < timeoutMs) {
      if (this.hasExited) throw this.failure(`${this.exitStatus} before it listened`, true);
      if (await somethingListens(this.options.port)) {
        try {
          // A port that accepts TCP is not yet a server that answers: the frontend comes up last.
          const connection = await Connection.connect({ address: this.address, connectTimeout: '5s' });
          await connection.close();
          return;
        } catch (err) {
          lastError = (err as Error).message;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw this.failure(`did not answer gRPC within ${timeoutMs / 1000} s (last: ${lastError})`, false);
  }

  private failure(what: string, exitedEarly: boolean): ServerStartError {
    const { name, command, args } = this.options;
    return new ServerStartError(
      `${name} on ${this.address} (pid ${this.pid}) ${what}.\n` +
        `Command: ${[command, ...args].join(' ')}\nIts output:\n${this.output.trim() || '(none)'}`,
      exitedEarly,
    );
  }
}
