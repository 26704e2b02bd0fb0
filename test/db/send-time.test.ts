import { bestSendHour } from '../../src/db/send-time';
import { useMigratedPostgres } from '../helpers/postgres';
import { statsRecords } from '../stats/records';

const H = 3600_000;
const D = 24 * H;
const NOW = Date.parse('2026-06-01T12:00:00Z');

// The hour a best-time send waits for, from what the real tables hold.
describe('a customer’s best hour to send', () => {
  const db = useMigratedPostgres();
  const records = statsRecords(db.pool);
  const best = (customer: string, zone: string) => bestSendHour(db.pool(), customer, zone, new Date(NOW));

  /** An email to `customer`, and their opens (or clicks) of it at these UTC times. */
  let n = 0;
  const engaged = async (customer: string, times: string[], type = 'opened', machine?: string) => {
    const name = `m-${++n}`;
    await records.message(name, { customer, journey: 'welcome', step: 'welcome', at: NOW - 60 * D });
    for (const at of times) await records.event(name, type, Date.parse(at), null, machine);
  };

  it('is the local hour they open and click most, in their zone', async () => {
    // 18:xx UTC is 20:xx in Berlin (summer time); 06:xx UTC is 08:xx.
    await engaged('reader', ['2026-05-01T18:05:00Z', '2026-05-02T18:40:00Z']);
    await engaged('reader', ['2026-05-03T18:10:00Z'], 'clicked');
    await engaged('reader', ['2026-05-04T06:15:00Z']);
    expect(await best('reader', 'Europe/Berlin')).toBe(20);
    expect(await best('reader', 'America/New_York')).toBe(14);
  });

  it('is unknown with fewer than three opens and clicks, and counts no privacy proxy or link scanner', async () => {
    await engaged('new', ['2026-05-01T09:00:00Z', '2026-05-02T09:00:00Z']);
    expect(await best('new', 'UTC')).toBeNull();
    await engaged(
      'proxied',
      ['2026-05-01T03:00:00Z', '2026-05-02T03:00:00Z', '2026-05-03T03:00:00Z'],
      'opened',
      'privacy-proxy',
    );
    await engaged('proxied', ['2026-05-04T17:00:00Z', '2026-05-05T17:30:00Z', '2026-05-06T17:45:00Z']);
    expect(await best('proxied', 'UTC')).toBe(17);
  });

  it('forgets habits older than a year', async () => {
    await engaged('old-habit', ['2025-04-01T07:00:00Z', '2025-04-02T07:00:00Z', '2025-04-03T07:00:00Z']);
    expect(await best('old-habit', 'UTC')).toBeNull();
  });
});
