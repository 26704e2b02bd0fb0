import http, { type RequestListener, type Server } from 'node:http';

/** Listens on loopback only; a port already taken is an error here, not an unhandled 'error' event. */
export function listenOnLoopback(handler: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler).listen(port, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
