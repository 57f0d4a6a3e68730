import { S3Client } from '@aws-sdk/client-s3';
import type { ClientFactory } from './settings.js';

export const s3Client: ClientFactory<S3Client> = ({ common, region, endpoint }) =>
  new S3Client({
    ...common,
    region,
    // Path-style addressing: a local endpoint has no per-bucket host names.
    forcePathStyle: Boolean(endpoint),
    // Provisioning reads and writes policies of buckets in any region.
    followRegionRedirects: true,
  });
