import { Client } from 'pg';
import { EVENTS_CHANNEL } from '../db/events';

export interface Listener {
  close(): Promise<void>;
}

/** How long to wait before listening again after the connection dropped (PostgreSQL restarting). */
const RECONNECT_MS = 2000;

/**
 * LISTENs for stored events on a connection of its own and calls `notified` on each notification,
 * so the dispatcher delivers at once instead of at its next poll. A dropped connection is opened
 * again; until then the poll still finds everything.
 */
export function listenForEvents(
  url: string,
  notified: () => void,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Listener {
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', notified);
    c.on('error', () => undefined); // 'end' follows, and reconnects
    c.on('end', () => {
      if (client === c) client = undefined;
      if (!closed) retry = setTimeout(() => void connect(), RECONNECT_MS);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (closed) return void (await c.end());
      client = c;
      notified(); // events stored while not listening
    } catch (err) {
      log('listening for stored events failed; polling meanwhile', { err: (err as Error).message });
      await c.end().catch(() => undefined);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
