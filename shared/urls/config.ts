/**
 * URL settings for apps, read once from the environment (CDN_DOMAIN, CDN_ORIGIN_PATH, the
 * signing key and the lifetimes, CDN_ENABLED) or the aliases existing setups use
 * (`CLOUDFRONT_DOMAIN`, `AWS_CLOUDFRONT_DOMAIN`, `AWS_ENABLE_CLOUDFRONT`: `ENV_ALIASES` in
 * `shared/env.ts`); errors name the variable that was set, never the key.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { parseEnv, resolveAliases } from '../env.js';
import { ConfigError, InvalidInputError } from '../errors.js';
import { URL_LIMITS, type SigningKey } from './limits.js';
import { validDomain, validEdgeUrl, validSigningKey } from './validation.js';

import type { Env } from '../env.js';

export interface UrlConfig {
  /** Absent when CloudFront is off (CDN_ENABLED / AWS_ENABLE_CLOUDFRONT false). */
  readonly domain?: string;
  /** False: every URL is a presigned S3 URL (the pipeline still tags and invalidates). */
  readonly cdnEnabled: boolean;
  readonly originPath: string;
  readonly signingKey?: SigningKey;
  readonly ttlSeconds: number;
  readonly maxTtlSeconds: number;
  /** LOCAL ONLY (CDN_LOCAL_EDGE_URL): URLs point at the local edge, `http://127.0.0.1:4580/…`. */
  readonly edgeUrl?: string;
}

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

const ON = ['true', '1', 'yes', 'on'];
const OFF = ['false', '0', 'no', 'off'];

const urlSchema = z.object({
  CDN_DOMAIN: z.string().optional(),
  CDN_ENABLED: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => ON.includes(s) || OFF.includes(s), {
      error: `must be one of ${[...ON, ...OFF].join(', ')}`,
    })
    .transform((s) => ON.includes(s))
    .default(true),
  CDN_ORIGIN_PATH: z.string().default(''),
  CDN_LOCAL_EDGE_URL: z.string().optional(),
  CDN_KEY_PAIR_ID: z.string().optional(),
  // Validated below, never echoed: parseEnv would quote the value in its message.
  CDN_PRIVATE_KEY: z.string().optional(),
  CDN_PRIVATE_KEY_FILE: z.string().optional(),
  CDN_URL_TTL_SECONDS: seconds(URL_LIMITS.maxConfigurableTtlSeconds).default(
    URL_LIMITS.defaultTtlSeconds,
  ),
  CDN_URL_MAX_TTL_SECONDS: seconds(URL_LIMITS.maxConfigurableTtlSeconds).default(
    URL_LIMITS.maxTtlSeconds,
  ),
});

/** The private key's PEM from CDN_PRIVATE_KEY (literal `\n` allowed) or CDN_PRIVATE_KEY_FILE. */
function privateKeyFrom(raw: z.output<typeof urlSchema>): [string, string] | undefined {
  if (raw.CDN_PRIVATE_KEY && raw.CDN_PRIVATE_KEY_FILE) {
    throw new ConfigError(
      'CDN_PRIVATE_KEY_FILE',
      'set either CDN_PRIVATE_KEY or CDN_PRIVATE_KEY_FILE, not both',
    );
  }
  if (raw.CDN_PRIVATE_KEY) return [raw.CDN_PRIVATE_KEY.replace(/\\n/g, '\n'), 'CDN_PRIVATE_KEY'];
  if (!raw.CDN_PRIVATE_KEY_FILE) return undefined;
  try {
    return [readFileSync(raw.CDN_PRIVATE_KEY_FILE, 'utf8'), 'CDN_PRIVATE_KEY_FILE'];
  } catch (error) {
    throw new ConfigError(
      'CDN_PRIVATE_KEY_FILE',
      `cannot read "${raw.CDN_PRIVATE_KEY_FILE}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * URL settings for apps, from the environment, checked once: CDN_DOMAIN, CDN_ORIGIN_PATH,
 * CDN_KEY_PAIR_ID with CDN_PRIVATE_KEY (PEM) or CDN_PRIVATE_KEY_FILE, CDN_URL_TTL_SECONDS
 * (default 3600), CDN_URL_MAX_TTL_SECONDS (default 7 days), CDN_ENABLED (default true; false:
 * no domain, so URLs fall back to presigned S3 URLs), and for local runs CDN_LOCAL_EDGE_URL (the
 * local edge, a loopback URL: CloudFront URLs then point at it). Errors name the variable.
 */
export function loadUrlConfig(env: Env = process.env): UrlConfig {
  const raw = parseEnv(urlSchema, env);
  const domainVariable = resolveAliases(env).from.CDN_DOMAIN ?? 'CDN_DOMAIN';
  const asConfigError = (run: () => void) => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidInputError) {
        throw new ConfigError(error.field, error.message.slice(error.field.length + 2), {
          cause: error,
        });
      }
      throw error;
    }
  };
  let domain: string | undefined;
  if (raw.CDN_DOMAIN && raw.CDN_ENABLED) {
    asConfigError(() => (domain = validDomain(raw.CDN_DOMAIN!, domainVariable)));
  }
  const pem = privateKeyFrom(raw);
  if (Boolean(pem) !== Boolean(raw.CDN_KEY_PAIR_ID)) {
    throw new ConfigError(
      pem ? 'CDN_KEY_PAIR_ID' : 'CDN_PRIVATE_KEY',
      pem
        ? 'is not set, and a private key is: signing needs both'
        : 'is not set (nor CDN_PRIVATE_KEY_FILE), and CDN_KEY_PAIR_ID is: signing needs both',
    );
  }
  let signingKey: SigningKey | undefined;
  if (pem) {
    signingKey = { keyPairId: raw.CDN_KEY_PAIR_ID!, privateKey: pem[0] };
    asConfigError(() => validSigningKey(signingKey!, 'CDN_KEY_PAIR_ID', pem[1]));
  }
  let edgeUrl: string | undefined;
  if (raw.CDN_LOCAL_EDGE_URL && raw.CDN_ENABLED) {
    asConfigError(() => (edgeUrl = validEdgeUrl(raw.CDN_LOCAL_EDGE_URL!, 'CDN_LOCAL_EDGE_URL')));
  }
  if (raw.CDN_URL_TTL_SECONDS > raw.CDN_URL_MAX_TTL_SECONDS) {
    throw new ConfigError(
      'CDN_URL_TTL_SECONDS',
      `is above CDN_URL_MAX_TTL_SECONDS (${raw.CDN_URL_TTL_SECONDS} > ${raw.CDN_URL_MAX_TTL_SECONDS})`,
    );
  }
  return Object.freeze({
    ...(domain ? { domain } : {}),
    cdnEnabled: raw.CDN_ENABLED,
    originPath: raw.CDN_ORIGIN_PATH,
    ...(signingKey ? { signingKey: Object.freeze(signingKey) } : {}),
    ttlSeconds: raw.CDN_URL_TTL_SECONDS,
    maxTtlSeconds: raw.CDN_URL_MAX_TTL_SECONDS,
    ...(edgeUrl ? { edgeUrl } : {}),
  });
}
