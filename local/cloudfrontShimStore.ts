/**
 * LOCAL ONLY. Where the CloudFront shim keeps what moto cannot (custom policies, monitoring
 * subscriptions, the origin fields moto drops) so that every process talking to one emulator sees
 * the same: `npm start` and a `provision --local` beside it find the same policies and leave the
 * distribution unchanged. One JSON object in a bucket of its own on the emulator (never a
 * content bucket); it goes when the emulator does.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { MonitoringSubscription, Origin } from '@aws-sdk/client-cloudfront';
import type { ShimState, StoredPolicy } from './cloudfrontShimPolicies.js';

export const SHIM_STATE_BUCKET = 'cdn-pipeline-local-cloudfront-shim';
const SHIM_STATE_KEY = 'state.json';

export interface ShimStore {
  /** The saved state, or undefined when nothing was saved yet. */
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

export function s3ShimStore(s3: S3Client): ShimStore {
  const put = (text: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: SHIM_STATE_BUCKET,
        Key: SHIM_STATE_KEY,
        Body: text,
        ContentType: 'application/json',
      }),
    );
  return {
    async load() {
      try {
        const out = await s3.send(
          new GetObjectCommand({ Bucket: SHIM_STATE_BUCKET, Key: SHIM_STATE_KEY }),
        );
        return await out.Body?.transformToString();
      } catch (error) {
        if (['NoSuchBucket', 'NoSuchKey'].includes(errorName(error))) return undefined;
        throw error;
      }
    },
    async save(text) {
      try {
        await put(text);
      } catch (error) {
        if (errorName(error) !== 'NoSuchBucket') throw error;
        await s3
          .send(new CreateBucketCommand({ Bucket: SHIM_STATE_BUCKET }))
          .catch((e: unknown) => {
            if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorName(e))) throw e;
          });
        await put(text);
      }
    },
  };
}

/** What a store keeps: the custom policies, the subscriptions and the origin extras. */
export function serialize(state: ShimState): string {
  const custom = <C>(store: Map<string, StoredPolicy<C>>) =>
    [...store.values()].filter((p) => p.type === 'custom');
  return JSON.stringify({
    cachePolicies: custom(state.cachePolicies),
    responseHeadersPolicies: custom(state.responseHeadersPolicies),
    originRequestPolicies: custom(state.originRequestPolicies),
    monitoring: [...state.monitoring],
    origins: [...state.origins].map(([id, extras]) => [id, [...extras]]),
  });
}

/** Merges a saved state into this one, in place (the handlers hold the maps). */
export function hydrate(state: ShimState, text: string): void {
  const saved = JSON.parse(text) as {
    cachePolicies: StoredPolicy<never>[];
    responseHeadersPolicies: StoredPolicy<never>[];
    originRequestPolicies: StoredPolicy<never>[];
    monitoring: Array<[string, MonitoringSubscription]>;
    origins: Array<
      [string, Array<[string, Pick<Origin, 'OriginAccessControlId' | 'S3OriginConfig'>]>]
    >;
  };
  const policies = <C>(into: Map<string, StoredPolicy<C>>, items: StoredPolicy<never>[]) => {
    for (const p of items) into.set(p.id, { ...p, lastModified: new Date(p.lastModified) });
  };
  policies(state.cachePolicies, saved.cachePolicies);
  policies(state.responseHeadersPolicies, saved.responseHeadersPolicies);
  policies(state.originRequestPolicies, saved.originRequestPolicies);
  for (const [id, subscription] of saved.monitoring) state.monitoring.set(id, subscription);
  for (const [id, extras] of saved.origins) state.origins.set(id, new Map(extras));
}
