import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTimeSkippingEnvironment } from '../../src/dev/own-server-environment';
import { freePort } from '../../src/dev/free-port';
import { ServerProcess } from '../../src/dev/server-process';
import { ensureTestServer } from '../../src/dev/test-server';
import { eventually } from '../helpers/eventually';
import { processesMentioning } from '../helpers/processes';

// The Temporal servers our tests and npm start run as child processes of ours: waited for as long
// as a busy machine needs, reported clearly when they fail, and never left running.

const DAY = 24 * 3600_000;
const ROOT = path.resolve(__dirname, '../..');

async function testServerPath(): Promise<string> {
  const binary = await ensureTestServer(() => {});
  if (!binary.path) throw new Error('this test needs the provisioned test server (Java and Maven)');
  return binary.path;
}

/** The provisioned time-skipping server, started only after `seconds` (a JVM on a very busy machine). */
async function slowTestServer(seconds: number): Promise<string> {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-slow-server-')), 'slow-test-server');
  fs.writeFileSync(script, `#!/bin/sh\nsleep ${seconds}\nexec '${await testServerPath()}' "$@"\n`, { mode: 0o755 });
  return script;
}

/** What is left of the time-skipping server on `address`: its Java process, while it runs. */
const testServerOn = (address: string) => processesMentioning(`TestServer ${address.split(':')[1]}`);

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Temporal servers of our own', () => {
  it('waits for a time-skipping server slower to listen than the SDK`s 5 s, and stops it at teardown', async () => {
    const env = await startTimeSkippingEnvironment({
      executable: { type: 'existing-path', path: await slowTestServer(8) },
    });
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('2 days'); // the test service answers: time skips
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * DAY);
      expect(testServerOn(env.address)).toHaveLength(1);
    } finally {
      await env.teardown();
    }
    expect(testServerOn(env.address)).toEqual([]);
  });

  it('names the port and shows the output of a server that never answers, and stops it', async () => {
    const port = await freePort();
    const started = ServerProcess.start({
      name: 'a silent server',
      command: 'sh',
      args: ['-c', 'echo "warming up on $0"; exec sleep 600', String(port)],
      port,
      readyTimeoutMs: 1500,
    });
    const error = await started.then(
      () => new Error('it started'),
      (err: Error) => err,
    );
    expect(error.message).toMatch(
      new RegExp(`^a silent server on 127\\.0\\.0\\.1:${port} \\(pid \\d+\\) did not answer gRPC within 1\\.5 s`),
    );
    expect(error.message).toContain(`warming up on ${port}`);
    const pid = Number(/\(pid (\d+)\)/.exec(error.message)![1]);
    expect(pidAlive(pid)).toBe(false);
  });

  it('reports a server that exits before it listens with its exit code and output', async () => {
    const port = await freePort();
    await expect(
      ServerProcess.start({
        name: 'a failing server',
        command: 'sh',
        args: ['-c', 'echo "bind: address already in use" >&2; exit 3'],
        port,
      }),
    ).rejects.toThrow(/a failing server on .* exited with code 3 before it listened[\s\S]*address already in use/);
  });

  it('leaves no server behind when the process that started it is killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/start-time-skipping-server.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const address = (await eventually(() => /serving on (\S+)/.exec(output), 'the server to answer', 150))[1];
      expect(testServerOn(address)).toHaveLength(1);
      child.kill('SIGKILL');
      await exited;
      await eventually(() => testServerOn(address).length === 0, `no server left on ${address}`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
