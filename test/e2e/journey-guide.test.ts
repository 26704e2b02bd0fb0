import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { JourneysConfig } from '../../src/config/schema';
import { customerStateQuery } from '../../src/shared/signals';
import { eventually } from '../helpers/eventually';
import { startCustomer, StubActivities, testConfig, track } from '../helpers/journeys';
import { stopBeforeTeardown, useDevServerEnv } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs/journey-guide.md'), 'utf8');
/** The address the guide's replay command names; the test's own dev server takes its place. */
const GUIDE_ADDRESS = 'localhost:7233';

/** The guide's commands, in order: every line of its `sh` blocks. */
const commands = [...GUIDE.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split('\n'));

/** A copy of the repository as git has it, with this checkout's node_modules: the guide's commands change files. */
function copyOfRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-guide-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function sh(command: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  delete env.JOURNEYS_CONFIG;
  const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('docs/journey-guide.md, every command as a developer types it', () => {
  const env = useDevServerEnv();
  const repo = copyOfRepository();
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));
  const ran: { command: string; stdout: string }[] = [];
  const output = (prefix: string): string => ran.find((r) => r.command.startsWith(prefix))?.stdout ?? '';

  it('has the commands of each step: scaffold, simulate, test, ship', () => {
    expect(commands.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'npm run new:journey',
      'npm run simulate',
      'npx jest test/journeys/we-miss-you.test.ts',
      'UPDATE_GOLDEN=1 npx jest',
      'npm run replay',
    ]);
  });

  it('runs every command up to shipping, each exiting 0', async () => {
    for (const command of commands.filter((c) => !c.startsWith('npm run replay'))) {
      const result = await sh(command, repo);
      expect({ command, code: result.code, stderr: result.code === 0 ? '' : result.stderr.slice(-3000) }).toEqual({
        command,
        code: 0,
        stderr: '',
      });
      ran.push({ command, stdout: result.stdout });
    }
    // The scaffold is in its folder and its test passed; its customer's year is the one the guide shows.
    expect(fs.existsSync(path.join(repo, 'src/journeys/we-miss-you/journey.ts'))).toBe(true);
    const shown = /## 3\. Simulate[\s\S]*?\n```\n(Local time[\s\S]*?)```/.exec(GUIDE)![1];
    const simulated = output('npm run simulate');
    const table = simulated.slice(simulated.indexOf('Local time')).split('\n\n')[0];
    expect(`${table}\n`).toBe(shown);
    expect(table).toMatch(/^Local time \(Asia\/Tokyo\)/);
    expect(fs.readdirSync(path.join(repo, 'simulation/kenji'))).toContain('01-we-miss-you-message.eml');
  }, 900_000); // the scaffolder runs two suites; three more suites; a simulated year

  it('ships it with the replay check: the journey running on a cluster replays clean against the code', async () => {
    // A customer inside the new journey, on a worker running the copy's workflows (its section is
    // not in this checkout's schema: the settings its config.ts defaults to, by hand).
    const base = testConfig();
    const config = {
      ...base,
      journeys: {
        ...base.journeys,
        weMissYou: {
          ...base.journeys.browseAbandonment,
          trigger: 'Signed Up',
          goal: 'Order Completed',
          sendAfter: '1 day',
          topic: 'news',
          templates: { message: 'we-miss-you' },
        },
      },
    } as unknown as JourneysConfig;
    const stub = new StubActivities(env, config);
    const taskQueue = `guide-${Date.now()}`;
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue,
      workflowsPath: path.join(repo, 'src/workflows/index.ts'),
      activities: stub.activities,
    });
    const running = worker.run();
    stopBeforeTeardown(async () => {
      worker.shutdown();
      await running;
    });
    const handle = await startCustomer(env(), taskQueue, 'kenji', track('Signed Up', {}, 'kenji'));
    await eventually(async () => {
      const state = await handle.query(customerStateQuery);
      return Object.values(state.running).some((r) => r.journey === 'we-miss-you');
    }, 'the customer inside we-miss-you');

    const replay = commands.find((c) => c.startsWith('npm run replay'))!.replace(GUIDE_ADDRESS, env().address);
    const result = await sh(replay, repo);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    // The customer, we-miss-you and the other journeys Signed Up starts.
    expect(Number(/^(\d+) replayed fine\.$/m.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(2);
    expect(result.stdout).toMatch(/^0 would break\.$/m);
  }, 300_000);
});
