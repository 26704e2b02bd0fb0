import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run simulate -- <args>` as a developer runs it (tsx scripts/simulate.ts): exit code and output. */
function simulate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/simulate.ts', ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run simulate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-command-'));
  const file = (name: string, content: unknown): string => {
    const at = path.join(dir, name);
    fs.writeFileSync(at, typeof content === 'string' ? content : JSON.stringify(content));
    return at;
  };
  const customer = file('customer.json', {
    userId: 'kenji',
    traits: { email: 'kenji@example.com', first_name: 'Kenji' },
    context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' },
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows a Tokyo customer their sends in Tokyo time, and writes each message as it would arrive', async () => {
    const events = file('signed-up.json', [
      { at: '+0', type: 'track', event: 'Signed Up' },
      { at: '+1h', type: 'track', event: 'Email Confirmed' },
    ]);
    const out = path.join(dir, 'out');
    const run = await simulate([
      'welcome',
      '--customer',
      customer,
      '--events',
      events,
      '--start',
      '2030-06-03T21:30',
      '--until',
      '1 year',
      '--out',
      out,
    ]);
    expect(run).toMatchObject({ code: 0 });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^Local time \(Asia\/Tokyo\)\s+UTC\s+Channel/);
    // Signed up at 21:30 Tokyo time (12:30 UTC): the confirmation goes at once, transactional.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Mon 2030-06-03 21:30\s+2030-06-03 12:30\s+email\s+welcome \/ confirm\s+welcome-confirm\s+".+" sent \(transactional\)$/,
      ),
    );
    // The welcome email is marketing: confirmed at 22:30, inside quiet hours, it waits for 08:00 Tokyo time.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Mon 2030-06-03 22:30 .*held\s+welcome \/ welcome\s+quiet hours until Tue 2030-06-04 08:00$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Tue 2030-06-04 08:00\s+2030-06-03 23:00\s+email\s+welcome \/ welcome\s+welcome\s+".+" sent$/,
      ),
    );
    expect(run.stdout).toMatch(/Simulated 1 year in \d+\.\d s/);

    const files = fs.readdirSync(out).sort();
    expect(files).toEqual(
      expect.arrayContaining(['01-welcome-confirm.eml', '01-welcome-confirm.html', '01-welcome-confirm.txt']),
    );
    const mail = await simpleParser(fs.readFileSync(path.join(out, '01-welcome-confirm.eml')));
    expect(mail.to).toMatchObject({ value: [{ address: 'kenji@example.com' }] });
    expect(mail.subject).toBe(lines.find((l) => l.includes('welcome / confirm '))!.match(/"(.+)"/)![1]);
    expect(mail.html).toContain('https://journeys.example/'); // its links, on the simulation's tracker
  }, 120_000);

  it('names the event the API refuses, in one line, and exits 2', async () => {
    const events = file('bad-order.json', [
      { at: '+0', type: 'track', event: 'Email Confirmed' },
      { at: '+1 day', type: 'track', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 'lots' } },
    ]);
    const run = await simulate(['customer', '--customer', customer, '--events', events]);
    expect(run.code).toBe(2);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('simulate:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^simulate: bad-order\.json, event 2 \(track "Order Completed"\): the API refused it \(400\): .*revenue/,
    );
  }, 120_000);

  it.each([
    [
      ['nurture', '--customer', 'C', '--events', 'E'],
      /^simulate: no journey "nurture": name one of welcome, .*, or "customer"$/,
    ],
    [
      ['welcome', '--customer', 'C', '--events', 'E', '--until', '2 fortnights'],
      /^simulate: "2 fortnights" is not a span/,
    ],
    [
      ['welcome', '--customer', 'C', '--events', 'MALFORMED'],
      /^simulate: malformed\.json: not JSON: .*\(line 2, column \d+\)$/,
    ],
    [['welcome', '--customer', 'C'], /^simulate: --events FILE is required$/],
  ])(
    'refuses bad input before starting anything: %j',
    async (args, message) => {
      const malformed = file('malformed.json', '[\n  { "at": "+0", }\n]');
      const events = file('events.json', []);
      const argv = (args as string[]).map((a) =>
        a === 'C' ? customer : a === 'E' ? events : a === 'MALFORMED' ? malformed : a,
      );
      const run = await simulate(argv);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(message as RegExp)]);
    },
    60_000,
  );
});
