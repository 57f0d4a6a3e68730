/**
 * Over 300 lines on purpose: one SDK middleware and the in-memory API it answers with (AWS's
 * managed policies and the state store are in their own files).
 *
 * LOCAL ONLY. Never imported by production code (functions/, shared/): tests and the local runner
 * install it on the CloudFront clients they build for the emulator.
 *
 * moto 5.2.1 answers 404 HTML for CloudFront cache policies, response-headers policies,
 * origin-request policies and monitoring subscriptions (the SDK then fails with "XML parse
 * error"), and its GetDistribution/GetDistributionConfig drop the origin's
 * `OriginAccessControlId` and empty `S3OriginConfig`. This shim is an SDK middleware that
 *
 * - answers the missing commands in memory, shaped like AWS's answers: uuid ids, ETags checked
 *   against `IfMatch` (`PreconditionFailed`, `InvalidIfMatchVersion`), `NoSuch…` and
 *   `…AlreadyExists` errors with the SDK's own exception classes; AWS's managed policies (Type
 *   `managed`) are listed with their real ids;
 * - puts back, on distributions created or updated through this client, the origin fields moto
 *   drops, so the update path compares like with like;
 * - passes every other command through to the emulator untouched.
 *
 * State lives with the client it is installed on (one client per emulator), so another process
 * (a CLI run beside npm start) sees its own policies, not these. AWS's managed policies are in
 * `cloudfrontShimPolicies.ts`.
 */
import { randomUUID } from 'node:crypto';
import {
  CachePolicyAlreadyExists,
  InvalidIfMatchVersion,
  MonitoringSubscriptionAlreadyExists,
  NoSuchCachePolicy,
  NoSuchMonitoringSubscription,
  NoSuchOriginRequestPolicy,
  NoSuchResponseHeadersPolicy,
  PreconditionFailed,
  ResponseHeadersPolicyAlreadyExists,
  type CloudFrontClient,
  type DistributionConfig,
  type MonitoringSubscription,
} from '@aws-sdk/client-cloudfront';
import {
  managedPolicies,
  newEtag,
  type OriginExtras,
  type ShimState,
  type StoredPolicy,
} from './cloudfrontShimPolicies.js';
import { hydrate, serialize, type ShimStore } from './cloudfrontShimStore.js';

export const SHIM_MIDDLEWARE_NAME = 'cdnPipelineLocalShim';

const installed = new WeakSet<CloudFrontClient>();

const meta = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: randomUUID(),
  attempts: 1,
  totalRetryDelay: 0,
});
const clone = <T>(value: T): T => structuredClone(value);

type Handler = (input: Record<string, unknown>) => Record<string, unknown>;

/** Create/Get/GetConfig/List/Update for one kind of policy, by the SDK's naming. */
function policyHandlers<C extends { Name?: string }>(
  kind: 'CachePolicy' | 'ResponseHeadersPolicy' | 'OriginRequestPolicy',
  store: Map<string, StoredPolicy<C>>,
  errors: {
    noSuch: (message: string) => Error;
    exists?: (message: string) => Error;
  },
): Record<string, Handler> {
  const configKey = `${kind}Config`;
  const listKey = `${kind}List`;
  const view = (p: StoredPolicy<C>) => ({
    Id: p.id,
    LastModifiedTime: p.lastModified,
    [configKey]: clone(p.config),
  });
  const get = (id: unknown): StoredPolicy<C> => {
    const p = store.get(String(id));
    if (!p) throw errors.noSuch(`The ${kind} ${String(id)} does not exist.`);
    return p;
  };
  const handlers: Record<string, Handler> = {
    [`Get${kind}`]: (input) => {
      const p = get(input.Id);
      return { [kind]: view(p), ETag: p.etag };
    },
    [`Get${kind}Config`]: (input) => {
      const p = get(input.Id);
      return { [configKey]: clone(p.config), ETag: p.etag };
    },
    [`List${kind === 'CachePolicy' ? 'CachePolicies' : kind === 'ResponseHeadersPolicy' ? 'ResponseHeadersPolicies' : 'OriginRequestPolicies'}`]:
      (input) => {
        const all = [...store.values()].filter((p) => !input.Type || p.type === input.Type);
        const maxItems = Number(input.MaxItems ?? 100) || 100;
        const start = input.Marker ? all.findIndex((p) => p.id === input.Marker) + 1 : 0;
        const page = all.slice(start, start + maxItems);
        const next = start + maxItems < all.length ? page[page.length - 1]?.id : undefined;
        return {
          [listKey]: {
            MaxItems: maxItems,
            Quantity: page.length,
            Items: page.map((p) => ({ Type: p.type, [kind]: view(p) })),
            ...(next ? { NextMarker: next } : {}),
          },
        };
      },
  };
  if (errors.exists) {
    const exists = errors.exists;
    handlers[`Create${kind}`] = (input) => {
      const config = clone(input[configKey] as C);
      if ([...store.values()].some((p) => p.config.Name === config.Name)) {
        throw exists(`A ${kind} with the name ${String(config.Name)} already exists.`);
      }
      const p: StoredPolicy<C> = {
        id: randomUUID(),
        type: 'custom',
        etag: newEtag(),
        lastModified: new Date(),
        config,
      };
      store.set(p.id, p);
      return {
        [kind]: view(p),
        ETag: p.etag,
        Location: `https://cloudfront.amazonaws.com/2020-05-31/${kind.replace(/^./, (c) => c.toLowerCase())}/${p.id}`,
      };
    };
    handlers[`Update${kind}`] = (input) => {
      const p = get(input.Id);
      if (!input.IfMatch) {
        throw new InvalidIfMatchVersion({
          message: 'The If-Match version is missing or not valid.',
          $metadata: meta(400),
        });
      }
      if (input.IfMatch !== p.etag) {
        throw new PreconditionFailed({
          message:
            'The precondition given in one or more of the request-header fields evaluated to false.',
          $metadata: meta(412),
        });
      }
      if (p.type === 'managed') throw errors.noSuch(`The ${kind} ${p.id} is managed by AWS.`);
      p.config = clone(input[configKey] as C);
      p.etag = newEtag();
      p.lastModified = new Date();
      return { [kind]: view(p), ETag: p.etag };
    };
    handlers[`Delete${kind}`] = (input) => {
      const p = get(input.Id);
      if (input.IfMatch !== p.etag) {
        throw new PreconditionFailed({
          message:
            'The precondition given in one or more of the request-header fields evaluated to false.',
          $metadata: meta(412),
        });
      }
      store.delete(p.id);
      return {};
    };
  }
  return handlers;
}

function monitoringHandlers(state: ShimState): Record<string, Handler> {
  return {
    GetMonitoringSubscription: (input) => {
      const sub = state.monitoring.get(String(input.DistributionId));
      if (!sub) {
        throw new NoSuchMonitoringSubscription({
          message: 'A monitoring subscription does not exist for the specified distribution.',
          $metadata: meta(404),
        });
      }
      return { MonitoringSubscription: clone(sub) };
    },
    CreateMonitoringSubscription: (input) => {
      const id = String(input.DistributionId);
      if (state.monitoring.has(id)) {
        throw new MonitoringSubscriptionAlreadyExists({
          message: 'A monitoring subscription already exists for the specified distribution.',
          $metadata: meta(409),
        });
      }
      const sub = clone(input.MonitoringSubscription as MonitoringSubscription);
      state.monitoring.set(id, sub);
      return { MonitoringSubscription: clone(sub) };
    },
    DeleteMonitoringSubscription: (input) => {
      const id = String(input.DistributionId);
      if (!state.monitoring.delete(id)) {
        throw new NoSuchMonitoringSubscription({
          message: 'A monitoring subscription does not exist for the specified distribution.',
          $metadata: meta(404),
        });
      }
      return {};
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Distribution origins: remember what was sent, put back what moto drops
// ---------------------------------------------------------------------------------------------

function sentConfig(
  commandName: string,
  input: Record<string, unknown>,
): DistributionConfig | undefined {
  if (commandName === 'CreateDistributionWithTags') {
    return (
      input.DistributionConfigWithTags as { DistributionConfig?: DistributionConfig } | undefined
    )?.DistributionConfig;
  }
  return input.DistributionConfig as DistributionConfig | undefined;
}

function remember(state: ShimState, id: string, config: DistributionConfig | undefined): void {
  const extras: OriginExtras = new Map();
  for (const origin of config?.Origins?.Items ?? []) {
    if (!origin.Id) continue;
    extras.set(origin.Id, {
      ...(origin.OriginAccessControlId !== undefined
        ? { OriginAccessControlId: origin.OriginAccessControlId }
        : {}),
      ...(origin.S3OriginConfig ? { S3OriginConfig: clone(origin.S3OriginConfig) } : {}),
    });
  }
  state.origins.set(id, extras);
}

function restore(
  state: ShimState,
  id: string | undefined,
  config: DistributionConfig | undefined,
): void {
  const extras = id ? state.origins.get(id) : undefined;
  if (!extras || !config?.Origins?.Items) return;
  for (const origin of config.Origins.Items) {
    const extra = origin.Id ? extras.get(origin.Id) : undefined;
    if (!extra) continue;
    if (origin.OriginAccessControlId === undefined && extra.OriginAccessControlId !== undefined) {
      origin.OriginAccessControlId = extra.OriginAccessControlId;
    }
    if (!origin.S3OriginConfig && !origin.CustomOriginConfig && extra.S3OriginConfig) {
      origin.S3OriginConfig = clone(extra.S3OriginConfig);
    }
  }
}

const DISTRIBUTION_WRITES = new Set([
  'CreateDistribution',
  'CreateDistributionWithTags',
  'UpdateDistribution',
]);
const DISTRIBUTION_READS = new Set([
  'GetDistribution',
  'GetDistributionConfig',
  ...DISTRIBUTION_WRITES,
]);

const STATE_CHANGES = /^(Create|Update|Delete)/;

/**
 * Installs the LOCAL-ONLY shim on a CloudFront client pointed at the emulator (idempotent).
 * With a store, the state is read once before the first call it answers and saved after each
 * change, so other processes on the same emulator share it; without one it lives in memory.
 */
export function installCloudFrontShim(
  client: CloudFrontClient,
  options: { store?: ShimStore } = {},
): void {
  if (installed.has(client)) return;
  installed.add(client);
  const state: ShimState = { ...managedPolicies(), monitoring: new Map(), origins: new Map() };
  const { store } = options;
  let loading: Promise<void> | undefined;
  const loaded = () =>
    (loading ??= store
      ? store.load().then((text) => {
          if (text) hydrate(state, text);
        })
      : Promise.resolve());
  const save = async () => {
    if (store) await store.save(serialize(state));
  };
  const handlers: Record<string, Handler> = {
    ...policyHandlers('CachePolicy', state.cachePolicies, {
      noSuch: (message) => new NoSuchCachePolicy({ message, $metadata: meta(404) }),
      exists: (message) => new CachePolicyAlreadyExists({ message, $metadata: meta(409) }),
    }),
    ...policyHandlers('ResponseHeadersPolicy', state.responseHeadersPolicies, {
      noSuch: (message) => new NoSuchResponseHeadersPolicy({ message, $metadata: meta(404) }),
      exists: (message) =>
        new ResponseHeadersPolicyAlreadyExists({ message, $metadata: meta(409) }),
    }),
    ...policyHandlers('OriginRequestPolicy', state.originRequestPolicies, {
      noSuch: (message) => new NoSuchOriginRequestPolicy({ message, $metadata: meta(404) }),
    }),
    ...monitoringHandlers(state),
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const answer = handlers[command];
      if (!answer && !DISTRIBUTION_READS.has(command)) return next(args);
      await loaded();
      if (answer) {
        const output = { $metadata: meta(200), ...answer(clone(input)) };
        if (STATE_CHANGES.test(command)) await save();
        return { output: output as never, response: undefined };
      }
      const result = await next(args);
      const output = result.output as {
        Distribution?: { Id?: string; DistributionConfig?: DistributionConfig };
        DistributionConfig?: DistributionConfig;
      };
      const id = output.Distribution?.Id ?? (input.Id as string | undefined);
      if (DISTRIBUTION_WRITES.has(command) && id) {
        remember(state, id, sentConfig(command, input));
        await save();
      }
      restore(state, id, output.Distribution?.DistributionConfig);
      restore(state, id, output.DistributionConfig);
      return result;
    },
    { step: 'initialize', name: SHIM_MIDDLEWARE_NAME, tags: ['LOCAL_ONLY'] },
  );
}
