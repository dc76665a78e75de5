/**
 * How long a dead EC2 endpoint holds one scope's listing, with the SDK settings the daemon uses (createEc2Client's
 * defaults: 5 attempts, 10 s to connect, 30 s to the response headers, 31 s of socket idle time in a body), with and
 * without the per-scope listing deadline. A measurement to run by hand (it takes about 2.5 minutes), never a test:
 *
 *   npx tsc -p bench/tsconfig.json && node dist/bench/listing-worst-case.js
 *
 * Endpoints, all on loopback:
 * - silent: accepts the TCP connection, reads the request, never answers;
 * - stalled body: answers the headers and the first bytes of the body, then nothing;
 * - black hole: the connection is never established (a listening socket whose accept queue is full, so the kernel
 *   drops the SYNs; needs python3, as Node cannot listen without accepting).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { discoverRegion } from '../src/discover/discover-region.js';
import { createEc2Client, sdkEc2Api } from '../src/discover/ec2-client.js';
import { DEFAULT_LISTING_TIMEOUT_MS } from '../src/config/setting-values.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

interface Endpoint {
  readonly name: string;
  readonly url: string;
  /** Connections the endpoint accepted (one per attempt that reached it). */
  readonly accepted: () => number;
  close(): void;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function silentEndpoint(): Promise<Endpoint> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  const port = await listen(server);
  return {
    name: 'silent (TCP accepted, never answers)',
    url: `http://127.0.0.1:${port}`,
    accepted: () => sockets.length,
    close: () => (sockets.forEach((s) => s.destroy()), server.close()),
  };
}

async function stalledBodyEndpoint(): Promise<Endpoint> {
  let accepted = 0;
  const server = createHttpServer((req, res) => {
    accepted += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': '100000' });
      res.write('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    });
  });
  const port = await listen(server as unknown as Server);
  return {
    name: 'stalled body (headers, then silence)',
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: () => (server.closeAllConnections(), server.close()),
  };
}

const BLACK_HOLE = `
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.5)
print(port, flush=True)
time.sleep(3600)
`;

async function blackHoleEndpoint(): Promise<Endpoint> {
  const child: ChildProcess = spawn('python3', ['-c', BLACK_HOLE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
  });
  return { name: 'black hole (connection never established)', url: `http://127.0.0.1:${port}`, accepted: () => 0, close: () => child.kill() };
}

async function measure(start: () => Promise<Endpoint>, deadlineMs: number): Promise<string> {
  const endpoint = await start();
  const client = createEc2Client({ region: 'eu-west-1', endpoint: endpoint.url, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  const started = performance.now();
  const result = await discoverRegion(sdkEc2Api(client), 'eu-west-1', { listingTimeoutMs: deadlineMs });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  client.destroy();
  endpoint.close();
  const outcome = result.ok ? 'ok (unexpected)' : `${result.code ?? '?'}: ${result.error}`;
  const deadline = deadlineMs >= 3_600_000 ? 'no deadline (SDK bounds only)' : `deadline ${deadlineMs / 1000} s`;
  return `${endpoint.name}, ${deadline}: ${seconds} s, ${endpoint.accepted()} connection(s) accepted\n    ${outcome}`;
}

// Every measurement at once, each with its own endpoint: each waits on its own timers, so they do not slow each other.
const starts = [silentEndpoint, stalledBodyEndpoint, blackHoleEndpoint];
const lines = await Promise.all(starts.flatMap((start) => [measure(start, 3_600_000), measure(start, DEFAULT_LISTING_TIMEOUT_MS)]));
for (const line of lines) console.log(line);
