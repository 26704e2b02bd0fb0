import { productWorkflowId } from '../../src/shared/signals';
import { announceRestock } from '../../src/temporal/restock';
import { untilWorkerStarted, useWorkerProcesses, WORKER_START_S } from '../helpers/killable-processes';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';
import { seedWaitingList } from '../helpers/waiting-list';
import { useDevServerEnv } from '../helpers/temporal';

// The SMTP provider's rate limit (messaging.maxEmailsPerSecond), through the real path: two
// production worker processes sending two restock announcements at once. The SMTP server never
// gets emails faster than the limit, however many workers send. (Only an upper bound on the rate
// is asserted: a busy machine makes sending slower, never faster.)

const PER_SECOND = 20;
const PRODUCTS = ['tent-1', 'tent-2'];
const PER_PRODUCT = 40;

describe('the provider rate limit', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  const workers = useWorkerProcesses(() => ({
    DATABASE_URL: db.url(),
    SMTP_URL: smtp.url(),
    TEMPORAL_ADDRESS: env().address,
    JOURNEYS__messaging__maxEmailsPerSecond: String(PER_SECOND),
  }));

  beforeAll(
    async () => {
      for (const productId of PRODUCTS) {
        await seedWaitingList(
          db.pool(),
          productId,
          Array.from({ length: PER_PRODUCT }, (_, i) => `${productId}-fan-${i}`),
        );
      }
      await Promise.all([workers.start(), workers.start()].map(untilWorkerStarted));
    },
    (WORKER_START_S + 60) * 1000,
  );

  it('sends no more emails a second than the limit, across workers', async () => {
    const announced = performance.now();
    await Promise.all(
      PRODUCTS.map((id) =>
        announceRestock(env().client, { id, name: 'Storm Tent', soldOutSince: '2026-11-01T00:00:00.000Z' }),
      ),
    );
    await Promise.all(PRODUCTS.map((id) => env().client.workflow.getHandle(productWorkflowId(id)).result()));

    const total = PRODUCTS.length * PER_PRODUCT;
    const arrivals = smtp.received.map((m) => m.receivedAt).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(total);
    // Slots are evenly spaced from a first slot no earlier than the announcement, and no email
    // leaves before its slot: so the k-th to arrive came at least k slots after the announcement
    // (a delay only makes it later). Without the limit, all 80 arrive within about half a second.
    const slot = 1000 / PER_SECOND;
    const early = arrivals.map((t, k) => ({ k, ms: t - announced })).filter(({ k, ms }) => ms < k * slot);
    expect(early).toEqual([]);
    const busiest = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 1000).length));
    console.log(
      `rate limit ${PER_SECOND}/s, two workers: ${total} emails over ${((arrivals[total - 1] - arrivals[0]) / 1000).toFixed(2)} s, at most ${busiest} in any second`,
    );
  }, 120_000);
});
