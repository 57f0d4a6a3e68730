/**
 * LOCAL ONLY. The block `npm start` prints once the pipeline is ready: where everything is, the
 * `export` lines a second terminal needs, an example upload, how to stop.
 */
import { formatWholeDuration as duration } from '../shared/text/durations.js';
import { LABEL_WIDTH, type Palette } from './print.js';

export interface ReadyInfo {
  readonly readyMs: number;
  readonly endpoint: string;
  readonly emulatorOwned: boolean;
  readonly stage: string;
  readonly region: string;
  readonly bucket: string;
  readonly distributionId: string;
  readonly distributionDomain: string;
  readonly ingestQueue: string;
  readonly invalidateQueue: string;
  readonly invalidateWindowMs: number;
  readonly checkEverySeconds: number;
  readonly digestEverySeconds: number;
  readonly alarmTable: string;
  /** Where mail lands, as the user would type it (`.local/outbox/`). */
  readonly outbox: string;
  /** The local edge's URL (local/edge/), when it runs. */
  readonly edge?: string;
}

/**
 * What a second terminal exports so that `aws` (v1 reads AWS_DEFAULT_REGION, v2 AWS_REGION) and
 * `npx cdn-pipeline` reach this emulator (and, with the edge, URLs point at it): the emulator accepts any key, so test keys, never the
 * ones this shell may hold.
 */
export function exportLines(info: Pick<ReadyInfo, 'endpoint' | 'region' | 'edge'>): string[] {
  return [
    `export AWS_ENDPOINT_URL=${info.endpoint}`,
    `export AWS_REGION=${info.region} AWS_DEFAULT_REGION=${info.region}`,
    'export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    // cdnUrl(), signedUrl() and `cdn-pipeline url` then point at the local edge.
    ...(info.edge ? [`export CDN_LOCAL_EDGE_URL=${info.edge}`] : []),
  ];
}

/** The example a user can paste into another terminal. */
export function exampleCommand(endpoint: string, bucket: string): string {
  return (
    `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --endpoint-url ${endpoint} ` +
    `s3 cp "clip final.mp4" "s3://${bucket}/videos/clip final.mp4"`
  );
}

export function formatReady(info: ReadyInfo, p: Palette): string[] {
  const line = (label: string, text: string) => `  ${label.padEnd(LABEL_WIDTH + 2)}${text}`;
  return [
    p.green(p.bold(`cdn-pipeline (${info.stage}) ready in ${info.readyMs} ms`)),
    line(
      'endpoint',
      `${info.endpoint}  ${p.dim(info.emulatorOwned ? '(moto, started here)' : '(moto, reused)')}`,
    ),
    line('region', info.region),
    line('bucket', info.bucket),
    line('distribution', `${info.distributionId}  ${info.distributionDomain}`),
    ...(info.edge
      ? [line('edge', `${info.edge}  (local CloudFront, distribution ${info.distributionId})`)]
      : []),
    line('pollers', `${info.ingestQueue} → ingest`),
    line('', `${info.invalidateQueue} → invalidate (window ${info.invalidateWindowMs / 1000} s)`),
    line(
      'reports',
      `check every ${duration(info.checkEverySeconds)}, digest every ${duration(info.digestEverySeconds)}  ` +
        p.dim(`(alarm state in ${info.alarmTable})`),
    ),
    line('outbox', `${info.outbox}  ${p.dim('(every mail the pipeline sends)')}`),
    ...exportLines(info).map((text, i) => line(i ? '' : 'shell', text)),
    line('try', exampleCommand(info.endpoint, info.bucket)),
    line('stop', 'Ctrl-C'),
  ];
}
