// One listening socket in front of a Fastify app that can be replaced while serving: a config
// reload builds the API anew for the new calendar and org directory (the body matcher, the
// store's status rules are built from them) and swaps it in; requests in flight finish on the
// app they started on, the next ones go to the new one. The socket never closes in between.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface SwappableServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly address: string;
  /** Serves `next` from now on, then closes the previous app. */
  swap(next: FastifyInstance): Promise<void>;
  /** Stops accepting, lets requests in flight finish (bounded by graceMs), closes the app. */
  close(graceMs?: number): Promise<void>;
}

export async function serveSwappable(first: FastifyInstance, opts: { port: number; host: string }): Promise<SwappableServer> {
  await first.ready();
  let app = first;
  // fastify.routing is the same handler Fastify gives its own server: hooks, errors, limits.
  const server = http.createServer((req, res) => app.routing(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;

  return {
    address: `http://${host}:${addr.port}`,
    async swap(next) {
      await next.ready();
      const previous = app;
      app = next;
      await previous.close();
    },
    close(graceMs = 5_000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections with no request would hold close() open: end those now, and
        // the busy ones after the grace period.
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        server.closeAllConnections();
        await closed;
        await app.close();
      })();
      return closing;
    },
  };
}
