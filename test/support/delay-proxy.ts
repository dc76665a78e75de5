import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of the fake EC2 that holds every request for `delayMs` before passing it on, so a
 * test can make runs slow (to catch a tick during a run), or holds them until `release()` after `hold()`, so a run
 * stays inside its listing (holding the run lock) for as long as the test needs, however slow the machine.
 * `arrivals` counts requests.
 */
export class DelayProxy {
  delayMs = 0;
  arrivals = 0;
  readonly #waiters = new Set<() => void>();
  /** Requests waiting for `release()`; undefined while not holding. */
  #held: (() => void)[] | undefined;

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
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      const forward = () => {
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
      };
      // Held from its arrival: a request counted after hold() never passes before release().
      const held = self.#held;
      if (held !== undefined) held.push(() => (req.readableEnded ? forward() : req.on('end', forward)));
      else req.on('end', () => setTimeout(forward, self.delayMs));
      for (const w of [...self.#waiters]) w();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new DelayProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** From now on, requests wait until `release()`. */
  hold(): void {
    this.#held ??= [];
  }

  /** Passes the held requests on and stops holding. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const forward of held) forward();
  }

  /** Resolves when the request count reaches `count` (the timeout is a safety net: a busy daemon can take a while to start). */
  waitForArrivals(count: number, timeoutMs = 120_000): Promise<void> {
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
    this.#held = undefined; // held requests are dropped with their connections
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
