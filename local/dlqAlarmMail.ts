/**
 * LOCAL ONLY. The mail the stack's DLQ alarms (resources/alarms.cjs: `ObjectEventsDLQAlarm`,
 * `InvalidationRequestsDLQAlarm`) would send through the alerts topic on AWS, where CloudWatch
 * evaluates them; the emulator never does, so the local DLQ watch (`dlqWatch.ts`) publishes it.
 * Name, description, metric, period and threshold are read from alarms.cjs, the one definition;
 * the subject and the sections follow CloudWatch's alarm notification, in the plain-text layout
 * of the report's mails (shared/text/). A closing section, marked local, lists the messages that
 * arrived (id, receives, the reason the pipeline saw): the AWS mail carries none of that. Pure.
 */
import { createRequire } from 'node:module';
import { formatTime } from '../shared/text/durations.js';
import { ascii, fitSubject, labelledRows, MAX_LINE_WIDTH, wrap } from '../shared/text/layout.js';
import { plural } from '../shared/text/numbers.js';

/** The logical ids of the DLQ alarms in resources/alarms.cjs. */
export const DLQ_ALARM_IDS = {
  objectEvents: 'ObjectEventsDLQAlarm',
  invalidationRequests: 'InvalidationRequestsDLQAlarm',
} as const;
export type DlqAlarmId = (typeof DLQ_ALARM_IDS)[keyof typeof DLQ_ALARM_IDS];

export interface DlqAlarm {
  /** As deployed: `cdn-pipeline-<stage>-object-events-dlq-not-empty`. */
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly treatMissingData: string;
}

interface AlarmResource {
  readonly Properties: {
    readonly AlarmName: string;
    readonly AlarmDescription: string;
    readonly Namespace: string;
    readonly MetricName: string;
    readonly Statistic: string;
    readonly Period: number;
    readonly Threshold: number;
    readonly ComparisonOperator: string;
    readonly EvaluationPeriods: number;
    readonly TreatMissingData: string;
  };
}

/** The alarm as serverless.yml deploys it for `stage` (`${self:custom.prefix}` resolved). */
export function readDlqAlarm(id: DlqAlarmId, stage: string): DlqAlarm {
  const require = createRequire(import.meta.url);
  const { Resources } = require('../resources/alarms.cjs') as {
    Resources: Record<string, AlarmResource>;
  };
  const p = Resources[id]?.Properties;
  if (!p) throw new Error(`resources/alarms.cjs: no alarm ${id}`);
  return {
    name: p.AlarmName.replace('${self:custom.prefix}', `cdn-pipeline-${stage}`),
    description: p.AlarmDescription,
    namespace: p.Namespace,
    metricName: p.MetricName,
    statistic: p.Statistic,
    periodSeconds: p.Period,
    threshold: p.Threshold,
    comparison: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    treatMissingData: p.TreatMissingData,
  };
}

/** One message the local run saw arrive in a DLQ. */
export interface DlqArrival {
  readonly dlq: string;
  /** The queue it was redriven from. */
  readonly source: string;
  readonly messageId: string;
  /** Receives from the source queue (its maxReceiveCount, when redriven), when known. */
  readonly receiveCount: number | undefined;
  /** Why the pipeline failed it the last time, when this run saw it fail. */
  readonly reason: string | undefined;
  readonly at: Date;
}

export interface DlqAlarmMailInput {
  readonly alarm: DlqAlarm;
  readonly transition: 'alarm' | 'ok';
  readonly dlq: string;
  readonly region: string;
  /** Messages in the DLQ at the evaluation. */
  readonly messages: number;
  readonly at: Date;
  /** Arrivals since the last mail (ALARM only). */
  readonly arrivals: readonly DlqArrival[];
  readonly dlqUrl: string;
}

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'eu-central-1': 'Europe (Frankfurt)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
};

const MAX_LISTED = 20;
const LABEL_WIDTH = 18;

/** Labelled rows; a value too long for its row goes under its label, wrapped. */
function rows(items: ReadonlyArray<readonly [string, string]>): string[] {
  const room = MAX_LINE_WIDTH - 2 - LABEL_WIDTH;
  return items.flatMap(([label, value]) =>
    value.length <= room
      ? labelledRows([[label, value]], LABEL_WIDTH)
      : [`  ${label}`, ...wrap(value, '    ')],
  );
}

export function alarmConsoleUrl(region: string, name: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#alarmsV2:alarm/${encodeURIComponent(name)}`;
}

/** `ALARM: "cdn-pipeline-local-object-events-dlq-not-empty" in US East (N. Virginia)`. */
export function dlqAlarmMail(input: DlqAlarmMailInput): { subject: string; body: string } {
  const { alarm, transition, region } = input;
  const regionName = REGION_NAMES[region] ?? region;
  const state = transition === 'alarm' ? 'ALARM' : 'OK';
  const from = transition === 'alarm' ? 'OK' : 'ALARM';
  const crossed = transition === 'alarm' ? 'was greater than' : 'was not greater than';
  const reason =
    `Threshold Crossed: 1 datapoint [${input.messages}.0 (${formatTime(input.at)})] ${crossed} ` +
    `the threshold (${alarm.threshold}.0).`;
  const details: [string, string][] = [
    ['Name', alarm.name],
    ['State Change', `${from} -> ${state}`],
    ['Timestamp', formatTime(input.at)],
  ];
  const metric: [string, string][] = [
    ['Namespace', alarm.namespace],
    ['MetricName', alarm.metricName],
    ['Dimensions', `QueueName = ${input.dlq}`],
    ['Period', `${alarm.periodSeconds} seconds`],
    ['Statistic', alarm.statistic],
    ['TreatMissingData', alarm.treatMissingData],
  ];
  const lines = [
    ...wrap(
      `You are receiving this email because your Amazon CloudWatch Alarm "${alarm.name}" in the ` +
        `${regionName} region has entered the ${state} state, because "${reason}" at ` +
        `"${formatTime(input.at)}".`,
    ),
    '',
    'View this alarm in the AWS Management Console:',
    alarmConsoleUrl(region, alarm.name),
    '',
    'Alarm Details:',
    ...rows(details),
    ...wrap(alarm.description, ' '.repeat(20), `  ${'Description'.padEnd(LABEL_WIDTH)}`),
    ...wrap(reason, ' '.repeat(20), `  ${'Reason'.padEnd(LABEL_WIDTH)}`),
    '',
    'Threshold:',
    ...wrap(
      `The alarm is in the ALARM state when the metric is ${alarm.comparison} ` +
        `${alarm.threshold}.0 for at least ${alarm.evaluationPeriods} of the last ` +
        `${alarm.evaluationPeriods} period(s) of ${alarm.periodSeconds} seconds.`,
      '  ',
    ),
    '',
    'Monitored Metric:',
    ...rows(metric),
  ];
  if (transition === 'alarm') {
    const listed = input.arrivals.slice(0, MAX_LISTED);
    lines.push(
      '',
      ...wrap(
        `Local run (not in the AWS mail): ${plural(input.messages, 'message')} in ${input.dlq}:`,
      ),
    );
    for (const a of listed) {
      lines.push(
        ...wrap(
          `${a.messageId}, ${a.receiveCount === undefined ? 'receives unknown' : plural(a.receiveCount, 'receive')}` +
            ` from ${a.source}: ${a.reason ?? 'no reason recorded by this run'}`,
          '    ',
          '  - ',
        ),
      );
    }
    if (input.arrivals.length > listed.length)
      lines.push(`  ... and ${input.arrivals.length - listed.length} more`);
    lines.push(
      '',
      'Read them (they stay in the DLQ):',
      ...wrap(
        `aws sqs receive-message --queue-url ${input.dlqUrl} --attribute-names All ` +
          '--visibility-timeout 0',
        '  ',
        '  ',
      ),
    );
  }
  return {
    subject: fitSubject(`${state}: "${alarm.name}" in ${regionName}`),
    body: `${lines.map(ascii).join('\n')}\n`,
  };
}
