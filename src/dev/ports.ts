import net from 'node:net';

/** Thrown for a problem the developer fixes (a busy port, a bad variable): shown as its message alone. */
export class DevStartError extends Error {}

/** True if nothing listens on 127.0.0.1:`port` (we could bind it ourselves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True if something accepts a TCP connection on 127.0.0.1:`port` within `timeoutMs`. */
export function somethingListens(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port one embedded part needs, and the variables that move it or replace the part. */
export interface PortNeed {
  port: number;
  /** What listens there, e.g. "the API". */
  what: string;
  /** The variable that moves it, e.g. JOURNEYS_DEV_SMTP_PORT. */
  moveWith: string;
  /** The variable that replaces the embedded part altogether, if there is one. */
  replaceWith?: string;
}

/** Fails with one message naming every port that is taken and how to get out of the way. */
export async function ensurePortsFree(needs: PortNeed[]): Promise<void> {
  const taken: string[] = [];
  for (const need of needs) {
    if (await portIsFree(need.port)) continue;
    const alternatives = [`set ${need.moveWith} to another port`];
    if (need.replaceWith) alternatives.push(`set ${need.replaceWith} to use your own`);
    taken.push(
      `  port ${need.port} (${need.what}) is taken by another program: stop it, or ${alternatives.join(', or ')}`,
    );
  }
  needs.forEach((need, i) => {
    const first = needs.findIndex((n) => n.port === need.port);
    if (first !== i)
      taken.push(`  port ${need.port} is asked for by both ${needs[first].moveWith} and ${need.moveWith}`);
  });
  if (taken.length > 0) throw new DevStartError(`npm start cannot start:\n${taken.join('\n')}`);
}
