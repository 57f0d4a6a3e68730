/**
 * LOCAL ONLY. One pipeline per stage on an emulator: the run that polls a stage's queues holds a
 * lease, a tag on its object-events queue (`cdn-pipeline:poller`) naming its pid, the emulator's
 * pid when known, when it started and its last heartbeat. A second `npm start` for the same stage
 * reads it and refuses to attach while the holder lives; a lease whose pid is gone, or whose
 * heartbeat stopped, is stale and taken over (a killed run never blocks the next one). Nothing is
 * written into the content bucket.
 *
 * Tags are last-writer-wins: two runs starting together both write, then `confirm()` (called
 * just before the pollers start, well after the write) reads the tag back, and only the run whose
 * token is there goes on.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ListQueueTagsCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const LEASE_TAG_KEY = 'cdn-pipeline:poller';
export const LEASE_TIMING = {
  heartbeatMs: 5_000,
  /** A lease not renewed for this long is stale, even when its pid is alive (pid reuse). */
  staleAfterMs: 20_000,
} as const;

export interface LeaseHolder {
  readonly pid: number;
  readonly host: string;
  /** The emulator's pid, when the holder knew it. */
  readonly emulatorPid?: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly token: string;
}

/** Another live pipeline polls these queues. */
export class PipelineAlreadyRunning extends Error {
  override readonly name = 'PipelineAlreadyRunning';
  constructor(
    message: string,
    readonly holder: LeaseHolder,
  ) {
    super(message);
  }
}

/** `pid=1 host=h emulator=2 started=… beat=… token=…` (characters SQS tag values allow). */
export function formatLease(holder: LeaseHolder): string {
  return [
    `pid=${holder.pid}`,
    `host=${holder.host}`,
    ...(holder.emulatorPid ? [`emulator=${holder.emulatorPid}`] : []),
    `started=${holder.startedAt}`,
    `beat=${holder.heartbeatAt}`,
    `token=${holder.token}`,
  ].join(' ');
}

export function parseLease(value: string | undefined): LeaseHolder | undefined {
  if (!value) return undefined;
  const fields = new Map(
    value.split(' ').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at), part.slice(at + 1)] as const;
    }),
  );
  const pid = Number(fields.get('pid'));
  const emulatorPid = Number(fields.get('emulator'));
  const { started, beat, token, host } = Object.fromEntries(fields);
  if (!Number.isInteger(pid) || !started || !beat || !token) return undefined;
  return {
    pid,
    host: host ?? '',
    ...(Number.isInteger(emulatorPid) && emulatorPid > 0 ? { emulatorPid } : {}),
    startedAt: started,
    heartbeatAt: beat,
    token,
  };
}

/** True when `pid` runs on this machine (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lease no longer holds, or undefined when its holder is alive and renewing it. */
export function staleReason(holder: LeaseHolder, now = Date.now()): string | undefined {
  if (holder.host === hostname() && !processAlive(holder.pid)) {
    return `pid ${holder.pid} is no longer running`;
  }
  const silentMs = now - Date.parse(holder.heartbeatAt);
  if (!(silentMs <= LEASE_TIMING.staleAfterMs)) {
    return `no heartbeat for ${Math.round(silentMs / 1000)} s`;
  }
  return undefined;
}

export async function readLease(
  sqs: SQSClient,
  queueUrl: string,
): Promise<LeaseHolder | undefined> {
  const out = await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }));
  return parseLease(out.Tags?.[LEASE_TAG_KEY]);
}

export interface LeaseOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Names the queue and the emulator in the refusal. */
  readonly describe: string;
  readonly emulatorPid?: number;
}

export interface Lease {
  /** The stale lease taken over, if any (a run that ended without letting go). */
  readonly previous?: { readonly holder: LeaseHolder; readonly reason: string };
  /** Reads the tag back: throws `PipelineAlreadyRunning` when another run's write won. */
  confirm(): Promise<void>;
  /** Stops the heartbeat and removes the tag while it is still ours. */
  release(): Promise<void>;
}

function refusal(holder: LeaseHolder, describe: string): PipelineAlreadyRunning {
  return new PipelineAlreadyRunning(
    `another pipeline is already polling ${describe} (pid ${holder.pid}, started ` +
      `${holder.startedAt}, heartbeat ${holder.heartbeatAt}). Two would compete for the same ` +
      `messages. Stop that one first (Ctrl-C in its terminal, or kill ${holder.pid}), or run ` +
      'this one on another --stage or --port.',
    holder,
  );
}

export async function acquireLease(options: LeaseOptions): Promise<Lease> {
  const { sqs, queueUrl } = options;
  const current = await readLease(sqs, queueUrl);
  let previous: Lease['previous'];
  if (current) {
    const reason = staleReason(current);
    if (!reason) throw refusal(current, options.describe);
    previous = { holder: current, reason };
  }
  const startedAt = new Date().toISOString();
  const token = randomUUID().slice(0, 8);
  const write = () =>
    sqs.send(
      new TagQueueCommand({
        QueueUrl: queueUrl,
        Tags: {
          [LEASE_TAG_KEY]: formatLease({
            pid: process.pid,
            host: hostname(),
            ...(options.emulatorPid ? { emulatorPid: options.emulatorPid } : {}),
            startedAt,
            heartbeatAt: new Date().toISOString(),
            token,
          }),
        },
      }),
    );
  await write();
  // Renewed only while it is still ours: a heartbeat never overwrites the run that won.
  const renew = async () => {
    const now = await readLease(sqs, queueUrl);
    if (now && now.token !== token) clearInterval(timer);
    else await write();
  };
  const timer = setInterval(() => void renew().catch(() => undefined), LEASE_TIMING.heartbeatMs);
  timer.unref();
  return {
    ...(previous ? { previous } : {}),
    async confirm() {
      const now = await readLease(sqs, queueUrl);
      if (now && now.token !== token) {
        clearInterval(timer);
        throw refusal(now, options.describe);
      }
    },
    async release() {
      clearInterval(timer);
      const now = await readLease(sqs, queueUrl);
      if (now?.token === token) {
        await sqs.send(new UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: [LEASE_TAG_KEY] }));
      }
    },
  };
}
