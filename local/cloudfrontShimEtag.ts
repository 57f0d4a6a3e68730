/**
 * LOCAL ONLY. Never imported by production code: the local runner and tests install it on the
 * CloudFront clients they build for the emulator.
 *
 * moto 5.2.1 gives a distribution one ETag for life (an update keeps it) and ignores `IfMatch`
 * on UpdateDistribution and DeleteDistribution. CloudFront changes the ETag on every config change
 * and refuses a stale `IfMatch` with `PreconditionFailed` — what an adoption preview relies on.
 * This middleware makes the emulator behave so: a distribution's ETag is derived from moto's
 * ETag and the config moto returns (the same config, the same ETag, in every process: no state
 * to share), and a write whose `IfMatch` is not the current ETag is refused before it reaches
 * moto.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetDistributionConfigCommand,
  PreconditionFailed,
  type CloudFrontClient,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';

export const ETAG_SHIM_MIDDLEWARE_NAME = 'cdnPipelineLocalEtagShim';

const installed = new WeakSet<CloudFrontClient>();
const READS = new Set([
  'GetDistribution',
  'GetDistributionConfig',
  'UpdateDistribution',
  'CreateDistribution',
  'CreateDistributionWithTags',
]);
const WRITES = new Set(['UpdateDistribution', 'DeleteDistribution']);

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** `E` + 13 characters of sha256 over moto's ETag and the config: like CloudFront's. */
export function contentEtag(
  motoEtag: string | undefined,
  config: DistributionConfig | undefined,
): string {
  const digest = createHash('sha256')
    .update(`${motoEtag ?? ''}\n${stable(config ?? {})}`)
    .digest('hex')
    .toUpperCase();
  return `E${digest.slice(0, 13)}`;
}

/** Installs the ETag shim on a client pointed at the emulator (idempotent). */
export function installEtagShim(client: CloudFrontClient): void {
  if (installed.has(client)) return;
  installed.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      if (!READS.has(command) && !WRITES.has(command)) return next(args);
      const input = args.input as { Id?: string; IfMatch?: string };
      if (WRITES.has(command) && input.Id) {
        const current = await client.send(new GetDistributionConfigCommand({ Id: input.Id }));
        if (input.IfMatch && input.IfMatch !== current.ETag) {
          throw new PreconditionFailed({
            message:
              'The precondition given in one or more of the request-header fields evaluated to false.',
            $metadata: {
              httpStatusCode: 412,
              requestId: randomUUID(),
              attempts: 1,
              totalRetryDelay: 0,
            },
          });
        }
      }
      const result = await next(args);
      const output = result.output as {
        ETag?: string;
        Distribution?: { DistributionConfig?: DistributionConfig };
        DistributionConfig?: DistributionConfig;
      };
      if (READS.has(command) && output.ETag !== undefined) {
        output.ETag = contentEtag(
          output.ETag,
          output.DistributionConfig ?? output.Distribution?.DistributionConfig,
        );
      }
      return result;
    },
    // Inside the CloudFront shim (initialize): the ETag is moto's config, before any restore.
    { step: 'serialize', priority: 'high', name: ETAG_SHIM_MIDDLEWARE_NAME, tags: ['LOCAL_ONLY'] },
  );
}
