/**
 * LOCAL ONLY. A fault-injecting HTTP proxy on loopback between the SDK clients and the emulator.
 * Everything is forwarded untouched except CloudFront's invalidation calls
 * (`/2020-05-31/distribution/{id}/invalidation[/{id}]`), which the proxy answers itself from a
 * CloudFront-faithful ledger (`faultProxyLedger.ts`): the emulator completes invalidations at
 * once and has no quota and no CallerReference idempotency, so rewriting its answers would need
 * the same ledger and leave two disagreeing copies; the distribution itself is still checked
 * against the emulator (NoSuchDistribution). A script (`faultProxyScript.ts`) injects faults on
 * any CloudFront call, with CloudFront's status codes and XML error bodies
 * (cloudfront-facts.md §1): TooManyInvalidationsInProgress (400), `Throttling: Rate exceeded`
 * (400), 503 ServiceUnavailable, a reset connection (before the call, or after it was carried
 * out: `reset-after`), latency. Every CloudFront call is recorded
 * with its outcome.
 * Over 300 lines: one request's path (route, fault, answer or forward, record) kept in one place.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  ServerResponse,
  type IncomingMessage,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createInvalidationLedger,
  type InFlightCount,
  type InvalidationLedger,
  type LedgerOptions,
} from './faultProxyLedger.js';
import {
  faultChooser,
  type ChosenFault,
  type FaultKind,
  type FaultScript,
} from './faultProxyScript.js';
import {
  API,
  cloudFrontRoute,
  FAULT_ANSWERS,
  readBody,
  sendError,
  sendXml,
  withoutBody,
  type Route,
} from './faultProxyHttp.js';
import { invalidationListXml, invalidationXml, parseInvalidationBatch } from './faultProxyXml.js';

const DEFAULT_LATENCY_MS = 1000;

/** One CloudFront call through the proxy, and what became of it. */
export interface CallRecord {
  readonly seq: number;
  readonly at: number;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly distributionId?: string;
  /** The injected fault, if any. */
  readonly fault?: FaultKind;
  /** `answered` by the ledger, `forwarded` to the emulator, `injected` fault, `reset`. */
  readonly outcome: 'answered' | 'forwarded' | 'injected' | 'reset' | 'upstream-error';
  readonly status?: number;
  /** The error code answered, when the answer is an error. */
  readonly code?: string;
  readonly invalidationId?: string;
  /** CreateInvalidation: false when an earlier invalidation was returned for its reference. */
  readonly created?: boolean;
  readonly ms: number;
}

export interface FaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly upstream: string;
  readonly script?: FaultScript;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Ledger settings; `completeAfterMs` defaults to the script's. */
  readonly ledger?: LedgerOptions;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly port: number;
  readonly upstream: string;
  readonly ledger: InvalidationLedger;
  /** Every CloudFront call so far, in arrival order. */
  readonly log: readonly CallRecord[];
  /** Requests of other services, forwarded without a record. */
  readonly forwardedOther: () => number;
  maxInFlight(distributionId: string): InFlightCount;
  stop(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const script: FaultScript = options.script ?? { faults: {} };
  const choose = faultChooser(script);
  const ledger = createInvalidationLedger({
    ...(script.completeAfterMs !== undefined ? { completeAfterMs: script.completeAfterMs } : {}),
    ...options.ledger,
  });
  const agent = new Agent({ keepAlive: true });
  const log: CallRecord[] = [];
  const knownDistributions = new Set<string>();
  let other = 0;
  let seq = 0;

  /** Streams a request to the emulator and its answer back; resolves with the status. */
  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => resolve(answer.statusCode ?? 502));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      if (body) out.end(body);
      else req.pipe(out);
    });

  /** Whether the emulator knows the distribution (cached once it did). */
  const distributionExists = (id: string, req: IncomingMessage) =>
    knownDistributions.has(id)
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve, reject) => {
          const out = httpRequest(
            {
              host: upstream.hostname,
              port: upstream.port,
              method: 'GET',
              path: `${API}/distribution/${encodeURIComponent(id)}`,
              // The emulator routes by the signature's service: send the caller's headers.
              headers: withoutBody(req.headers),
              agent,
            },
            (answer) => {
              answer.resume();
              answer.on('end', () => {
                const ok = (answer.statusCode ?? 500) < 300;
                if (ok) knownDistributions.add(id);
                resolve(ok);
              });
            },
          );
          out.on('error', reject);
          out.end();
        });

  /** Answers an invalidation call from the ledger. */
  const answer = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    url: URL,
  ): Promise<Partial<CallRecord>> => {
    const distributionId = route.distributionId!;
    const body = route.operation === 'CreateInvalidation' ? await readBody(req) : undefined;
    if (!(await distributionExists(distributionId, req))) {
      const error = {
        status: 404,
        code: 'NoSuchDistribution',
        message: 'The specified distribution does not exist.',
      };
      sendError(res, error);
      return { status: 404, code: error.code };
    }
    if (route.operation === 'CreateInvalidation') {
      const batch = parseInvalidationBatch(body!.toString('utf8'));
      if (!batch.ok) {
        sendError(res, { status: 400, code: batch.code, message: batch.message });
        return { status: 400, code: batch.code };
      }
      const outcome = ledger.create(distributionId, batch);
      if (!outcome.ok) {
        sendError(res, outcome.error);
        return { status: outcome.error.status, code: outcome.error.code };
      }
      const { invalidation, created } = outcome;
      sendXml(res, 201, invalidationXml(ledger.view(invalidation)), {
        location: `https://cloudfront.amazonaws.com${API}/distribution/${distributionId}/invalidation/${invalidation.id}`,
      });
      return { status: 201, invalidationId: invalidation.id, created };
    }
    if (route.operation === 'GetInvalidation') {
      const found = ledger.get(distributionId, route.invalidationId!);
      if (!found) {
        const error = {
          status: 404,
          code: 'NoSuchInvalidation',
          message: 'The specified invalidation does not exist.',
        };
        sendError(res, error);
        return { status: 404, code: error.code };
      }
      sendXml(res, 200, invalidationXml(ledger.view(found)));
      return { status: 200, invalidationId: found.id };
    }
    // ListInvalidations: newest first, paged by Marker (the last id of the previous page).
    const all = ledger.list(distributionId);
    const marker = url.searchParams.get('Marker') ?? '';
    const maxItems = Math.max(
      1,
      Math.min(100, Number(url.searchParams.get('MaxItems') ?? 100) || 100),
    );
    const start = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
    const page = all.slice(start, start + maxItems);
    const more = start + maxItems < all.length;
    sendXml(
      res,
      200,
      invalidationListXml({
        marker,
        maxItems,
        items: page.map((i) => ledger.view(i)),
        ...(more ? { nextMarker: page[page.length - 1]!.id } : {}),
      }),
    );
    return { status: 200 };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const route = cloudFrontRoute(req.method ?? 'GET', url);
    if (!route) {
      other += 1;
      await forward(req, res).catch(() => req.socket.destroy());
      return;
    }
    const started = performance.now();
    const record: CallRecord = {
      seq: ++seq,
      at: Date.now(),
      operation: route.operation,
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(route.distributionId ? { distributionId: route.distributionId } : {}),
      outcome: 'forwarded',
      ms: 0,
    };
    const done = (extra: Partial<CallRecord>) =>
      log.push({ ...record, ...extra, ms: Math.round(performance.now() - started) });
    const chosen: ChosenFault | undefined = choose(route.operation);
    const fault = chosen?.fault;
    if (fault === 'latency')
      await new Promise((r) => setTimeout(r, chosen!.ms ?? DEFAULT_LATENCY_MS));
    if (fault === 'reset') {
      req.socket.destroy();
      done({ fault, outcome: 'reset' });
      return;
    }
    if (fault && fault !== 'latency' && fault !== 'reset-after') {
      const error = FAULT_ANSWERS[fault];
      req.resume();
      sendError(res, error);
      done({ fault, outcome: 'injected', status: error.status, code: error.code });
      return;
    }
    const faultField = fault ? { fault } : {};
    // `reset-after`: the call is carried out, its answer written nowhere, then the connection
    // dropped: the caller cannot tell whether it happened (a crash or timeout after the call).
    const lost = fault === 'reset-after';
    const target = lost ? new ServerResponse(req) : res;
    try {
      if (route.operation.endsWith('Invalidation') || route.operation === 'ListInvalidations') {
        const extra = await answer(req, target, route, url);
        if (lost) req.socket.destroy();
        done({ ...faultField, outcome: lost ? 'reset' : 'answered', ...extra });
      } else {
        const status = await forward(req, target);
        if (lost) req.socket.destroy();
        done({ ...faultField, outcome: lost ? 'reset' : 'forwarded', status });
      }
    } catch {
      req.socket.destroy();
      done({ ...faultField, outcome: 'upstream-error' });
    }
  };

  const server = createServer((req, res) => {
    // A failure past the point of answering (a caller gone mid-answer) drops the connection.
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    endpoint: `http://${address}:${port}`,
    port,
    upstream: options.upstream,
    ledger,
    log,
    forwardedOther: () => other,
    maxInFlight: (id) => ledger.maxInFlight(id),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
