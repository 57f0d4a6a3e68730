/**
 * Ensure the spec's cache policies and response-headers policy: each found by name among the
 * account's custom policies, created when missing, updated (IfMatch) when its config has drifted
 * from the spec. The origin-request policy is AWS's managed CORS-S3Origin (same id everywhere),
 * used only when CORS is on.
 */
import {
  CreateCachePolicyCommand,
  CreateResponseHeadersPolicyCommand,
  GetCachePolicyConfigCommand,
  GetResponseHeadersPolicyConfigCommand,
  ListCachePoliciesCommand,
  ListResponseHeadersPoliciesCommand,
  UpdateCachePolicyCommand,
  UpdateResponseHeadersPolicyCommand,
  type CachePolicyConfig,
  type CloudFrontClient,
  type ResponseHeadersPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import {
  cachePolicyConfigs,
  originRequestPolicyId,
  responseHeadersPolicyConfig,
} from './policies.js';
import { ensureKeyGroups } from './ensureKeyGroups.js';
import { createOrFind, listAll, sameConfig } from './lookup.js';
import type { PoliciesResult, SpecInput } from './types.js';

/** How one kind of policy is listed, read, created and updated. */
interface PolicyApi<C> {
  list(): Promise<Map<string, string>>;
  getConfig(id: string): Promise<{ config: C | undefined; etag: string | undefined }>;
  create(config: C): Promise<string>;
  update(id: string, config: C, etag: string | undefined): Promise<void>;
  alreadyExists: string;
}

function cachePolicyApi(cloudfront: CloudFrontClient): PolicyApi<CachePolicyConfig> {
  return {
    async list() {
      const items = await listAll(async (Marker) => {
        const out = await cloudfront.send(new ListCachePoliciesCommand({ Type: 'custom', Marker }));
        const list = out.CachePolicyList;
        return { items: list?.Items ?? [], nextMarker: list?.NextMarker };
      });
      const byName = new Map<string, string>();
      for (const item of items) {
        const p = item.CachePolicy;
        if (p?.Id && p.CachePolicyConfig?.Name) byName.set(p.CachePolicyConfig.Name, p.Id);
      }
      return byName;
    },
    async getConfig(id) {
      const out = await cloudfront.send(new GetCachePolicyConfigCommand({ Id: id }));
      return { config: out.CachePolicyConfig, etag: out.ETag };
    },
    async create(config) {
      const out = await cloudfront.send(
        new CreateCachePolicyCommand({ CachePolicyConfig: config }),
      );
      return out.CachePolicy!.Id!;
    },
    async update(id, config, etag) {
      await cloudfront.send(
        new UpdateCachePolicyCommand({ Id: id, IfMatch: etag, CachePolicyConfig: config }),
      );
    },
    alreadyExists: 'CachePolicyAlreadyExists',
  };
}

function responseHeadersPolicyApi(
  cloudfront: CloudFrontClient,
): PolicyApi<ResponseHeadersPolicyConfig> {
  return {
    async list() {
      const items = await listAll(async (Marker) => {
        const out = await cloudfront.send(
          new ListResponseHeadersPoliciesCommand({ Type: 'custom', Marker }),
        );
        const list = out.ResponseHeadersPolicyList;
        return { items: list?.Items ?? [], nextMarker: list?.NextMarker };
      });
      const byName = new Map<string, string>();
      for (const item of items) {
        const p = item.ResponseHeadersPolicy;
        if (p?.Id && p.ResponseHeadersPolicyConfig?.Name) {
          byName.set(p.ResponseHeadersPolicyConfig.Name, p.Id);
        }
      }
      return byName;
    },
    async getConfig(id) {
      const out = await cloudfront.send(new GetResponseHeadersPolicyConfigCommand({ Id: id }));
      return { config: out.ResponseHeadersPolicyConfig, etag: out.ETag };
    },
    async create(config) {
      const out = await cloudfront.send(
        new CreateResponseHeadersPolicyCommand({ ResponseHeadersPolicyConfig: config }),
      );
      return out.ResponseHeadersPolicy!.Id!;
    },
    async update(id, config, etag) {
      await cloudfront.send(
        new UpdateResponseHeadersPolicyCommand({
          Id: id,
          IfMatch: etag,
          ResponseHeadersPolicyConfig: config,
        }),
      );
    },
    alreadyExists: 'ResponseHeadersPolicyAlreadyExists',
  };
}

/** The account's custom policies by name (id), as ensurePolicies finds them: for previews. */
export async function existingPolicyIds(cloudfront: CloudFrontClient): Promise<{
  readonly cache: Map<string, string>;
  readonly responseHeaders: Map<string, string>;
}> {
  const [cache, responseHeaders] = await Promise.all([
    cachePolicyApi(cloudfront).list(),
    responseHeadersPolicyApi(cloudfront).list(),
  ]);
  return { cache, responseHeaders };
}

type Outcome = 'created' | 'updated' | 'unchanged';

/** One policy: found and kept, found and updated, or created. */
async function ensureOne<C>(
  api: PolicyApi<C>,
  existing: Map<string, string>,
  name: string,
  config: C,
): Promise<{ id: string; outcome: Outcome }> {
  const found = existing.get(name);
  if (found) {
    const current = await api.getConfig(found);
    if (sameConfig(current.config, config)) return { id: found, outcome: 'unchanged' };
    await api.update(found, config, current.etag);
    return { id: found, outcome: 'updated' };
  }
  const { value, created } = await createOrFind(
    () => api.create(config),
    [api.alreadyExists],
    async () => (await api.list()).get(name),
  );
  return { id: value, outcome: created ? 'created' : 'unchanged' };
}

export async function ensurePolicies(
  deps: { cloudfront: CloudFrontClient },
  input: SpecInput,
): Promise<PoliciesResult> {
  const created: string[] = [];
  const updated: string[] = [];
  const record = (name: string, outcome: Outcome) => {
    if (outcome === 'created') created.push(name);
    if (outcome === 'updated') updated.push(name);
  };

  const cache = cachePolicyApi(deps.cloudfront);
  const headers = responseHeadersPolicyApi(deps.cloudfront);
  const [cacheExisting, headersExisting] = await Promise.all([cache.list(), headers.list()]);

  const cachePolicyIds: Record<string, string> = {};
  // One at a time: a handful of calls, and CloudFront's control plane throttles bursts.
  for (const { name, config } of cachePolicyConfigs(input.spec)) {
    const { id, outcome } = await ensureOne(cache, cacheExisting, name, config);
    cachePolicyIds[name] = id;
    record(name, outcome);
  }
  const rh = responseHeadersPolicyConfig(input.spec);
  const { id: responseHeadersPolicyId, outcome } = await ensureOne(
    headers,
    headersExisting,
    rh.name,
    rh.config,
  );
  record(rh.name, outcome);

  // The private prefixes' public keys and key groups (none: no calls).
  const keys = await ensureKeyGroups(deps, input);
  const originRequest = originRequestPolicyId(input.spec);
  return {
    cachePolicyIds,
    responseHeadersPolicyId,
    ...(originRequest ? { originRequestPolicyId: originRequest } : {}),
    keyGroupIds: keys.keyGroupIds,
    created: [...created, ...keys.created],
    updated: [...updated, ...keys.updated],
  };
}
