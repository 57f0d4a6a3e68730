/**
 * LOCAL ONLY. What CloudWatch does on AWS for the DLQ alarms, which the emulator never
 * evaluates: every second it reads each DLQ's depth (ApproximateNumberOfMessages, the alarm's
 * metric, plus the invisible ones), names each message that arrived (a line: queue, message id,
 * receives, the reason the pipeline saw), and on a transition publishes the alarm's mail to the
 * alerts topic (`dlqAlarmMail.ts`): ALARM when a DLQ stops being empty, OK when it is empty again
 * — once each, as the alarm would. A DLQ already holding messages when the watch starts is taken
 * as already in ALARM (the alarm would have mailed then): noted, not mailed again.
 *
 * To learn the ids it receives from the DLQ with a 1 s visibility timeout (the messages stay in
 * it; each such look adds one to their ApproximateReceiveCount there), only when the depth grew.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../shared/clients.js';
import type { LocalStack } from './bootstrap.js';
import { dlqAlarmMail, readDlqAlarm, type DlqAlarm, type DlqArrival } from './dlqAlarmMail.js';
import type { FailureNote } from './failureNotes.js';
import type { QueueRef } from './queues.js';
import { startSchedule, type Schedule } from './schedule.js';

export interface WatchedDlq {
  readonly dlq: QueueRef;
  readonly source: QueueRef;
  readonly alarm: DlqAlarm;
}

export interface DlqWatchOptions {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly region: string;
  readonly queues: readonly WatchedDlq[];
  readonly failures: (messageId: string) => FailureNote | undefined;
  readonly onArrival: (arrival: DlqArrival) => void;
  /** A DLQ that already held messages at start. */
  readonly onNote?: (line: string) => void;
  readonly onError: (error: unknown) => void;
  /** Default 1 000. */
  readonly everyMs?: number;
}

const LOOK_VISIBILITY_SECONDS = 1;
const MAX_LOOKS = 20;

function nameOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

interface DlqState {
  readonly queue: WatchedDlq;
  readonly seen: Set<string>;
  total: number;
  alarm: boolean;
  pending: DlqArrival[];
}

async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; total: number }> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const visible = Number(res.Attributes?.ApproximateNumberOfMessages ?? 0);
  return {
    visible,
    total: visible + Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Messages of the DLQ not seen before, with the receive count they came with. */
async function look(
  sqs: SQSClient,
  state: DlqState,
): Promise<Array<{ id: string; receiveCount: number | undefined }>> {
  const found: Array<{ id: string; receiveCount: number | undefined }> = [];
  for (let i = 0; i < MAX_LOOKS; i += 1) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: state.queue.dlq.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: LOOK_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const fresh = (res.Messages ?? []).filter((m) => m.MessageId && !state.seen.has(m.MessageId));
    if (!fresh.length) break;
    for (const m of fresh) {
      state.seen.add(m.MessageId!);
      const count = Number(m.Attributes?.ApproximateReceiveCount);
      // This look was one receive more; the emulator keeps the source queue's count.
      found.push({
        id: m.MessageId!,
        receiveCount: Number.isFinite(count) ? count - 1 : undefined,
      });
    }
  }
  return found;
}

export async function startDlqWatch(options: DlqWatchOptions): Promise<Schedule> {
  const { sqs, sns } = options;
  const states: DlqState[] = [];
  for (const queue of options.queues) {
    const state: DlqState = { queue, seen: new Set(), total: 0, alarm: false, pending: [] };
    const { total } = await depth(sqs, queue.dlq.url);
    if (total > 0) {
      await look(sqs, state);
      state.alarm = true;
      options.onNote?.(
        `${nameOf(queue.dlq.url)} already holds ${total} message${total === 1 ? '' : 's'} ` +
          `from before this run (its alarm would be in ALARM already: no mail)`,
      );
    }
    state.total = total;
    states.push(state);
  }

  const publish = async (state: DlqState, transition: 'alarm' | 'ok', messages: number) => {
    const mail = dlqAlarmMail({
      alarm: state.queue.alarm,
      transition,
      dlq: nameOf(state.queue.dlq.url),
      dlqUrl: state.queue.dlq.url,
      region: options.region,
      messages,
      at: new Date(),
      arrivals: state.pending,
    });
    await sns.send(
      new PublishCommand({ TopicArn: options.topicArn, Subject: mail.subject, Message: mail.body }),
    );
  };

  const tick = async (state: DlqState) => {
    const { visible, total } = await depth(sqs, state.queue.dlq.url);
    if (total > state.total) {
      for (const { id, receiveCount } of await look(sqs, state)) {
        const note = options.failures(id);
        const arrival: DlqArrival = {
          dlq: nameOf(state.queue.dlq.url),
          source: nameOf(state.queue.source.url),
          messageId: id,
          receiveCount: note?.receiveCount ?? receiveCount,
          reason: note?.reason,
          at: new Date(),
        };
        state.pending.push(arrival);
        options.onArrival(arrival);
      }
    }
    state.total = total;
    if (!state.alarm && total > 0) {
      state.alarm = true;
      await publish(state, 'alarm', Math.max(visible, state.pending.length));
      state.pending = [];
    } else if (state.alarm && total === 0) {
      state.alarm = false;
      state.seen.clear();
      await publish(state, 'ok', 0);
    } else {
      state.pending = [];
    }
  };

  return startSchedule({
    everyMs: options.everyMs ?? 1_000,
    onError: options.onError,
    job: async () => {
      for (const state of states) await tick(state);
    },
  });
}

/** The stage's two DLQs, each with the alarm serverless.yml deploys on it. */
export function watchStageDlqs(
  clients: Pick<AwsClients, 'sqs' | 'sns'>,
  stack: Pick<
    LocalStack,
    | 'objectEvents'
    | 'objectEventsDlq'
    | 'invalidationRequests'
    | 'invalidationRequestsDlq'
    | 'alertsTopicArn'
    | 'names'
    | 'region'
  >,
  options: Pick<DlqWatchOptions, 'failures' | 'onArrival' | 'onNote' | 'onError' | 'everyMs'>,
): Promise<Schedule> {
  const stage = stack.names.stage;
  return startDlqWatch({
    sqs: clients.sqs,
    sns: clients.sns,
    topicArn: stack.alertsTopicArn,
    region: stack.region,
    queues: [
      {
        dlq: stack.objectEventsDlq,
        source: stack.objectEvents,
        alarm: readDlqAlarm('ObjectEventsDLQAlarm', stage),
      },
      {
        dlq: stack.invalidationRequestsDlq,
        source: stack.invalidationRequests,
        alarm: readDlqAlarm('InvalidationRequestsDLQAlarm', stage),
      },
    ],
    ...options,
  });
}
