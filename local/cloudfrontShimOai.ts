/**
 * LOCAL ONLY. Never imported by production code: the local runner and tests install it on the
 * CloudFront clients they build for the emulator.
 *
 * moto 5.2.1 has no CloudFront origin access identities (legacy OAI): its CloudFront routes
 * answer 404 for `/origin-access-identity/cloudfront`. This middleware answers Create, Get,
 * GetConfig, List and Delete as CloudFront does — ids `E…`, an S3 canonical user id, ETags
 * checked against `IfMatch`, `CloudFrontOriginAccessIdentityInUse` while a distribution's origin
 * names it — so an OAI → OAC migration runs locally. Its state is kept, with a store, in the
 * emulator's shim bucket (`oai.json`), so every process on one emulator sees the same OAIs.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CloudFrontOriginAccessIdentityInUse,
  GetDistributionConfigCommand,
  InvalidIfMatchVersion,
  NoSuchCloudFrontOriginAccessIdentity,
  paginateListDistributions,
  PreconditionFailed,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { oaiIdFromOrigin } from '../shared/bucketPolicy.js';
import { SHIM_STATE_BUCKET, type ShimStore } from './cloudfrontShimStore.js';

export const OAI_SHIM_MIDDLEWARE_NAME = 'cdnPipelineLocalOaiShim';

interface StoredOai {
  id: string;
  canonicalUserId: string;
  etag: string;
  config: { CallerReference: string; Comment: string };
}

const installed = new WeakSet<CloudFrontClient>();
const meta = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: randomUUID(),
  attempts: 1,
  totalRetryDelay: 0,
});
const token = (n: number) => randomUUID().replace(/-/g, '').toUpperCase().slice(0, n);

/** The store of the OAIs on the emulator (its own object beside the CloudFront shim's). */
export function s3OaiStore(s3: S3Client): ShimStore {
  const key = 'oai.json';
  const name = (e: unknown) => (e as { name?: string } | undefined)?.name ?? '';
  const put = (text: string) =>
    s3.send(new PutObjectCommand({ Bucket: SHIM_STATE_BUCKET, Key: key, Body: text }));
  return {
    async load() {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: SHIM_STATE_BUCKET, Key: key }));
        return await out.Body?.transformToString();
      } catch (error) {
        if (['NoSuchBucket', 'NoSuchKey'].includes(name(error))) return undefined;
        throw error;
      }
    },
    async save(text) {
      try {
        await put(text);
      } catch (error) {
        if (name(error) !== 'NoSuchBucket') throw error;
        await s3
          .send(new CreateBucketCommand({ Bucket: SHIM_STATE_BUCKET }))
          .catch((e: unknown) => {
            if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(name(e))) throw e;
          });
        await put(text);
      }
    },
  };
}

/** Installs the OAI shim (idempotent). Without a store the OAIs live with this client. */
export function installOaiShim(
  client: CloudFrontClient,
  options: { store?: ShimStore } = {},
): void {
  if (installed.has(client)) return;
  installed.add(client);
  const oais = new Map<string, StoredOai>();
  const { store } = options;
  // Read before every call (another process may have changed them), written after each change.
  const load = async () => {
    const text = store ? await store.load() : undefined;
    if (!text) return;
    oais.clear();
    for (const o of JSON.parse(text) as StoredOai[]) oais.set(o.id, o);
  };
  const save = async () => {
    if (store) await store.save(JSON.stringify([...oais.values()]));
  };
  const get = (id: unknown): StoredOai => {
    const o = oais.get(String(id));
    if (!o) {
      throw new NoSuchCloudFrontOriginAccessIdentity({
        message: 'The specified origin access identity does not exist.',
        $metadata: meta(404),
      });
    }
    return o;
  };
  const view = (o: StoredOai) => ({
    Id: o.id,
    S3CanonicalUserId: o.canonicalUserId,
    CloudFrontOriginAccessIdentityConfig: { ...o.config },
  });
  const inUse = async (id: string) => {
    for await (const page of paginateListDistributions({ client }, {})) {
      for (const summary of page.DistributionList?.Items ?? []) {
        const out = await client.send(new GetDistributionConfigCommand({ Id: summary.Id }));
        for (const origin of out.DistributionConfig?.Origins?.Items ?? []) {
          if (oaiIdFromOrigin(origin.S3OriginConfig?.OriginAccessIdentity) === id) return true;
        }
      }
    }
    return false;
  };
  type Handler = (input: Record<string, unknown>) => Promise<Record<string, unknown>>;
  const handlers: Record<string, Handler> = {
    CreateCloudFrontOriginAccessIdentity: async (input) => {
      const config = input.CloudFrontOriginAccessIdentityConfig as StoredOai['config'];
      const o: StoredOai = {
        id: `E${token(13)}`,
        canonicalUserId: createHash('sha256')
          .update(randomUUID())
          .digest('hex')
          .repeat(2)
          .slice(0, 96),
        etag: `E${token(13)}`,
        config: { CallerReference: config.CallerReference, Comment: config.Comment ?? '' },
      };
      oais.set(o.id, o);
      await save();
      return {
        CloudFrontOriginAccessIdentity: view(o),
        ETag: o.etag,
        Location: `https://cloudfront.amazonaws.com/2020-05-31/origin-access-identity/cloudfront/${o.id}`,
      };
    },
    GetCloudFrontOriginAccessIdentity: async (input) => {
      const o = get(input.Id);
      return { CloudFrontOriginAccessIdentity: view(o), ETag: o.etag };
    },
    GetCloudFrontOriginAccessIdentityConfig: async (input) => {
      const o = get(input.Id);
      return { CloudFrontOriginAccessIdentityConfig: { ...o.config }, ETag: o.etag };
    },
    ListCloudFrontOriginAccessIdentities: async () => {
      const items = [...oais.values()].map((o) => ({
        Id: o.id,
        S3CanonicalUserId: o.canonicalUserId,
        Comment: o.config.Comment,
      }));
      return {
        CloudFrontOriginAccessIdentityList: {
          Marker: '',
          MaxItems: 100,
          IsTruncated: false,
          Quantity: items.length,
          Items: items,
        },
      };
    },
    DeleteCloudFrontOriginAccessIdentity: async (input) => {
      const o = get(input.Id);
      if (!input.IfMatch) {
        throw new InvalidIfMatchVersion({
          message: 'The If-Match version is missing or not valid.',
          $metadata: meta(400),
        });
      }
      if (input.IfMatch !== o.etag) {
        throw new PreconditionFailed({
          message:
            'The precondition given in one or more of the request-header fields evaluated to false.',
          $metadata: meta(412),
        });
      }
      if (await inUse(o.id)) {
        throw new CloudFrontOriginAccessIdentityInUse({
          message: 'The Origin Access Identity specified is already in use.',
          $metadata: meta(409),
        });
      }
      oais.delete(o.id);
      await save();
      return {};
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      const answer = handlers[command];
      if (!answer) return next(args);
      await load();
      const output = {
        $metadata: meta(200),
        ...(await answer(args.input as Record<string, unknown>)),
      };
      return { output: output as never, response: undefined };
    },
    { step: 'initialize', name: OAI_SHIM_MIDDLEWARE_NAME, tags: ['LOCAL_ONLY'] },
  );
}
