import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of the fake EC2 that holds every request for `delayMs` before passing it on, so a
 * test can make runs slow (to catch a tick during a run, or a SIGTERM during discovery). `arrivals` counts requests.
 */
export class DelayProxy {
  delayMs = 0;
  arrivals = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: string): Promise<DelayProxy> {
    const targetUrl = new URL(target);
    let proxy: DelayProxy | undefined;
    const server = createServer((req, res) => {
      const self = proxy as DelayProxy;
      self.arrivals += 1;
      for (const w of [...self.#waiters]) w();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        setTimeout(() => {
          if (res.destroyed) return; // the SDK gave up (aborted) meanwhile
          const upstream = request(
            { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.destroy());
          upstream.end(Buffer.concat(chunks));
        }, self.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new DelayProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Resolves when the request count passes `count`. */
  waitForArrivals(count: number, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.arrivals < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`only ${this.arrivals} of ${count} requests arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
