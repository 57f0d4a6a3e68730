/**
 * The one place the SDK clients' endpoint, region, credentials and retry options are decided;
 * each client module (`./s3.ts` …) builds its client from these settings, and `lazyClients`
 * (`./lazy.ts`) hands out only the clients a function names, built on first use.
 */
import { ENV_SCHEMA, parseEnv } from '../env.js';

const clientEnv = ENV_SCHEMA.pick({ AWS_ENDPOINT_URL: true, AWS_REGION: true });

export interface ClientFactoryOptions {
  /** Endpoint override for local runs; defaults to the standard `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** Region for regional services; defaults to `AWS_REGION` (default in the env schema). */
  region?: string;
  /** Static credentials (tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts for CloudFront calls (throttling and 5xx are retried by the SDK). */
  cloudfrontMaxAttempts?: number;
}

/** The options resolved once (env read and validated) for every client built from them. */
export interface ClientSettings {
  readonly endpoint: string | undefined;
  /** The stack's region (regional services). */
  readonly region: string;
  /** Spread into every client's configuration: endpoint and credentials when given. */
  readonly common: {
    readonly endpoint?: string;
    readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  readonly cloudfrontMaxAttempts: number;
}

/** Reads `AWS_ENDPOINT_URL` / `AWS_REGION` (a bad value fails here, with its name). */
export function clientSettings(options: ClientFactoryOptions = {}): ClientSettings {
  const env = parseEnv(clientEnv, process.env);
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL;
  return {
    endpoint,
    region: options.region ?? env.AWS_REGION,
    common: {
      ...(endpoint ? { endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    },
    cloudfrontMaxAttempts: options.cloudfrontMaxAttempts ?? 5,
  };
}

/** Builds one client from the settings. */
export type ClientFactory<T> = (settings: ClientSettings) => T;
