/**
 * A transparent HTTP proxy in front of the emulator that remembers the requests a test cares
 * about (method, path with query, body), so a test can assert on every write a child process
 * made, in order: every bucket-policy version `npm start` wrote, for instance, instead of
 * sampling GetBucketPolicy and hoping no state was too short to see. Everything is forwarded
 * unchanged; the emulator does not check signatures.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent (`/charts.example.com?policy`). */
  readonly url: string;
  readonly body: string;
  /** The upstream's status code. */
  readonly status: number;
  /** ms since the epoch, when the answer came back. */
  readonly at: number;
}

export interface RecordingProxy {
  readonly endpoint: string;
  readonly port: number;
  /** The requests `keep` kept, in the order their answers came back. */
  readonly recorded: RecordedRequest[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRecordingProxy(
  upstream: string,
  keep: (method: string, url: string) => boolean,
): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const recorded: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then(
      (body) => {
        const out = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer) => {
            if (keep(req.method ?? '', req.url ?? '')) {
              recorded.push({
                method: req.method ?? '',
                url: req.url ?? '',
                body: body.toString('utf8'),
                status: answer.statusCode ?? 0,
                at: Date.now(),
              });
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(body);
      },
      () => {
        res.writeHead(400);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    recorded,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
