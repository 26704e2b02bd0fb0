import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server on loopback for the suite: every message it accepts is parsed with mailparser,
 * so tests assert what a recipient would get. `rejectNext` makes it answer the next message with
 * an SMTP error code (e.g. 550 for an unknown mailbox, 451 for try-again-later).
 */
/** A message as the sink got it: the parsed mail, the SMTP envelope it came with, and when (performance.now()). */
export type ReceivedMail = ParsedMail & { envelope: { from: string; to: string[] }; receivedAt: number };

/** `onReceived`: called with each message as it is taken (before the 250 reply), and how many so far. */
export function useSmtpSink(opts: { onReceived?: (mail: ReceivedMail, count: number) => void } = {}) {
  const received: ReceivedMail[] = [];
  let reject: { code: number; count: number } | undefined;
  let server: SMTPServer | undefined;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      hideSTARTTLS: true, // its built-in certificate is long expired; loopback needs no TLS
      disableReverseLookup: true,
      logger: false,
      onRcptTo(address, _session, callback) {
        if (reject && reject.count > 0) {
          reject.count--;
          const err = Object.assign(new Error(`${reject.code} rejected ${address.address}`), {
            responseCode: reject.code,
          });
          return callback(err);
        }
        callback();
      },
      onData(stream, session, callback) {
        const { mailFrom, rcptTo } = session.envelope;
        const envelope = { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) };
        simpleParser(stream)
          .then((mail) => {
            const got = Object.assign(mail, { envelope, receivedAt: performance.now() });
            received.push(got);
            opts.onReceived?.(got, received.length);
            callback();
          })
          .catch(callback);
      },
    });
    // A client killed mid-message (the fault tests kill workers) ends its connection abruptly.
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  return {
    url: () => `smtp://127.0.0.1:${port}`,
    received,
    /** Messages to one address. */
    to: (address: string) => received.filter((m) => m.to && JSON.stringify(m.to).includes(address)),
    rejectNext(code: number, count = 1) {
      reject = { code, count };
    },
    reset() {
      received.length = 0;
      reject = undefined;
    },
  };
}
