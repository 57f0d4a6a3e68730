/**
 * Which stack am I talking to: the local emulator or a deployed stage, which stage, which
 * endpoint, region and credentials. One answer for every `cdn-pipeline` command (and for
 * `npm start`): {@link resolveTarget} is pure (flags and an environment in, a target out);
 * the caller reads `process.env` once and passes it in.
 *
 * Rules:
 * - `--local` (or `--port`) means the emulator on this machine; so does an `AWS_ENDPOINT_URL`
 *   on loopback. A non-loopback `AWS_ENDPOINT_URL` with `--local` is refused: `--local` never
 *   reaches anything but this machine.
 * - The emulator's port: `--port`, else `CDN_PIPELINE_LOCAL_PORT`, else the port of a loopback
 *   `AWS_ENDPOINT_URL`, else 4566 (the order `npm start` uses).
 * - The stage: `--stage`, else `local` for the emulator, else `dev`.
 * - Locally, test credentials unless both keys are exported.
 */
import { DEFAULT_STAGE as LOCAL_STAGE, localResourceNames } from './resources.js';

export const DEFAULT_LOCAL_PORT = 4566;
export const DEFAULT_STAGES = { deployed: 'dev', local: LOCAL_STAGE } as const;
export const LOCAL_HOST = '127.0.0.1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
const DEFAULT_REGION = 'us-east-1';

/** The flags every command takes to aim itself. */
export interface TargetFlags {
  readonly local?: boolean;
  /** A number, or the flag's text (checked here). */
  readonly port?: number | string | undefined;
  readonly stage?: string | undefined;
  readonly region?: string | undefined;
}

/** The variables the answer depends on (a `process.env` fits). */
export interface TargetEnv {
  readonly AWS_ENDPOINT_URL?: string | undefined;
  readonly CDN_PIPELINE_LOCAL_PORT?: string | undefined;
  readonly AWS_REGION?: string | undefined;
  readonly AWS_DEFAULT_REGION?: string | undefined;
  readonly AWS_ACCESS_KEY_ID?: string | undefined;
  readonly AWS_SECRET_ACCESS_KEY?: string | undefined;
}

export interface Target {
  readonly kind: 'local' | 'deployed';
  readonly stage: string;
  /** Local: always (`http://127.0.0.1:4566`); deployed: only a non-loopback override. */
  readonly endpoint?: string;
  /** Local only. */
  readonly port?: number;
  readonly region: string;
  /** Local test credentials; undefined: the SDK's default chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** What made it local, for messages: `--local`, `--port`, `AWS_ENDPOINT_URL`. */
  readonly because?: string;
}

/** A target that cannot be: the message names the flag or variable. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

const LOOPBACK = new Set(['localhost', '[::1]', '::1']);

/** A loopback endpoint (`http://127.0.0.1:4566`, `http://localhost:5000`): the emulator. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return LOOPBACK.has(host) || /^127\./.test(host);
  } catch {
    return false;
  }
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65_535) {
    throw new TargetError(`${source}: must be a port number 1-65535 (got "${value}")`);
  }
  return port;
}

function endpointPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The emulator's endpoint: a loopback AWS_ENDPOINT_URL on that port as given, else 127.0.0.1. */
function localEndpoint(flags: TargetFlags, env: TargetEnv): { endpoint: string; port: number } {
  const exported = env.AWS_ENDPOINT_URL || undefined;
  const exportedUrl = exported && isLoopbackEndpoint(exported) ? new URL(exported) : undefined;
  let port: number;
  if (flags.port !== undefined) port = parsePort(String(flags.port), '--port');
  else if (env.CDN_PIPELINE_LOCAL_PORT)
    port = parsePort(env.CDN_PIPELINE_LOCAL_PORT, 'CDN_PIPELINE_LOCAL_PORT');
  else if (exportedUrl) port = endpointPort(exportedUrl);
  else port = DEFAULT_LOCAL_PORT;
  if (exportedUrl && endpointPort(exportedUrl) === port) {
    return { endpoint: exported!.replace(/\/+$/, ''), port };
  }
  return { endpoint: `http://${LOCAL_HOST}:${port}`, port };
}

/** The stack the flags and the environment aim at. Throws {@link TargetError} on a contradiction. */
export function resolveTarget(flags: TargetFlags, env: TargetEnv): Target {
  const exported = env.AWS_ENDPOINT_URL || undefined;
  const region = flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
  const asked = flags.local ? '--local' : flags.port !== undefined ? '--port' : undefined;
  if (asked && exported && !isLoopbackEndpoint(exported)) {
    throw new TargetError(
      `${asked} means the emulator on this machine, but AWS_ENDPOINT_URL is ${exported}: ` +
        `unset it (npm start prints the export lines), or drop ${asked}`,
    );
  }
  const because = asked ?? (isLoopbackEndpoint(exported) ? 'AWS_ENDPOINT_URL' : undefined);
  if (!because) {
    const stage = flags.stage ?? DEFAULT_STAGES.deployed;
    return { kind: 'deployed', stage, region, ...(exported ? { endpoint: exported } : {}) };
  }
  const stage = flags.stage ?? DEFAULT_STAGES.local;
  try {
    localResourceNames(stage);
  } catch (error) {
    throw new TargetError(`--${(error as Error).message}`);
  }
  const keys = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  return {
    kind: 'local',
    stage,
    ...localEndpoint(flags, env),
    region,
    ...(keys ? {} : { credentials: { ...LOCAL_CREDENTIALS } }),
    because,
  };
}

/** Where a command looked, for messages: `the emulator at http://127.0.0.1:4566`. */
export function describeTarget(target: Target): string {
  if (target.kind === 'local') return `the emulator at ${target.endpoint}`;
  return target.endpoint ? `${target.endpoint} (${target.region})` : `AWS ${target.region}`;
}

/** The emulator `npm start` would run for this environment, when the target is a deployed one. */
export function localTargetFor(env: TargetEnv, region: string): Target {
  return resolveTarget({ local: true, region }, { ...env, AWS_ENDPOINT_URL: undefined });
}
