/** Health of the alerts topic: someone confirmed a subscription, else alarms reach nobody. */
import {
  paginateListSubscriptionsByTopic,
  paginateListTopics,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { errorName, pass, warn, type HealthCheck } from './check.js';

export async function findTopicArn(sns: SNSClient, name: string): Promise<string | undefined> {
  for await (const page of paginateListTopics({ client: sns }, {})) {
    const arn = page.Topics?.find((t) => t.TopicArn?.endsWith(`:${name}`))?.TopicArn;
    if (arn) return arn;
  }
  return undefined;
}

/** At least one confirmed subscription: otherwise alarms and reports reach nobody (a warning). */
export async function checkAlertsTopic(
  sns: SNSClient,
  topicArn: string | undefined,
  hint: string,
): Promise<HealthCheck> {
  const name = 'alerts subscribed';
  if (!topicArn) return warn(name, `alerts topic not found (${hint})`, 'pass --topic-arn');
  let confirmed = 0;
  let pending = 0;
  try {
    for await (const page of paginateListSubscriptionsByTopic(
      { client: sns },
      { TopicArn: topicArn },
    )) {
      for (const s of page.Subscriptions ?? []) {
        if (s.SubscriptionArn === 'PendingConfirmation') pending++;
        else if (s.SubscriptionArn?.startsWith('arn:')) confirmed++;
      }
    }
  } catch (error) {
    if (errorName(error) === 'NotFoundException')
      return warn(name, `${topicArn} does not exist`, 'deploy the stack, or pass --topic-arn');
    throw error;
  }
  const fix = `aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com, then confirm from the mail`;
  if (confirmed > 0)
    return pass(
      name,
      `${confirmed} confirmed subscription${confirmed === 1 ? '' : 's'}${pending ? `, ${pending} pending` : ''}`,
    );
  return warn(
    name,
    `no confirmed subscription${pending ? ` (${pending} pending confirmation)` : ''}: alarms reach nobody`,
    fix,
  );
}
