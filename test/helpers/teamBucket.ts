/**
 * A team's existing setup on the emulator, before the pipeline: a versioned bucket (any valid
 * name, dots included) that notifies a queue and a topic of the team's own (the topic delivers
 * to a queue the test reads), a bucket policy that grants a legacy Origin Access Identity and
 * lets a role of the team's write, and a distribution set up by hand that reads the bucket through that OAI.
 * The CloudFront client must carry the LOCAL-ONLY shims (`installLocalCloudFrontShims`): moto
 * has no OAIs and drops S3OriginConfig.
 */
import {
  CreateCloudFrontOriginAccessIdentityCommand,
  CreateDistributionWithTagsCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { oaiPrincipalArn } from '../../shared/bucketPolicy.js';

export interface TeamSetup {
  readonly bucket: string;
  readonly queueUrl: string;
  /** The queue subscribed (raw delivery off: SNS envelopes) to the team's topic. */
  readonly topicQueueUrl: string;
  readonly topicArn: string;
  readonly oaiId: string;
  readonly distributionId: string;
  /** A statement of the team's policy besides the OAI grant: kept through the adoption. */
  readonly teamStatement: Record<string, unknown>;
}

async function queue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: got.Attributes!.QueueArn! };
}

export async function createTeamSetup(
  clients: { s3: S3Client; sqs: SQSClient; sns: SNSClient; cloudfront: CloudFrontClient },
  bucket: string,
): Promise<TeamSetup> {
  const { s3, sqs, sns, cloudfront } = clients;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const team = await queue(sqs, 'charts-team-uploads');
  const topicQueue = await queue(sqs, 'charts-team-topic-inbox');
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'charts-team-uploads' })))
    .TopicArn!;
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: topicQueue.arn }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: 'team-queue', QueueArn: team.arn, Events: ['s3:ObjectCreated:*'] },
        ],
        TopicConfigurations: [
          { Id: 'team-topic', TopicArn: topicArn, Events: ['s3:ObjectCreated:*'] },
        ],
      },
    }),
  );
  const oai = await cloudfront.send(
    new CreateCloudFrontOriginAccessIdentityCommand({
      CloudFrontOriginAccessIdentityConfig: { CallerReference: `${bucket}-oai`, Comment: bucket },
    }),
  );
  const oaiId = oai.CloudFrontOriginAccessIdentity!.Id!;
  // A statement of the team's own, kept through the adoption. (Not a TLS-only Deny: moto
  // evaluates explicit denies, and the emulator is plain HTTP.)
  const teamStatement = {
    Sid: 'RendererWrites',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::123456789012:role/charts-renderer' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          teamStatement,
          {
            Sid: 'TeamOai',
            Effect: 'Allow',
            Principal: { AWS: oaiPrincipalArn(oaiId) },
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
          },
        ],
      }),
    }),
  );
  const distributionId = await createOaiDistribution(cloudfront, {
    bucket,
    oaiId,
    ref: `${bucket}-by-hand`,
  });
  return {
    bucket,
    queueUrl: team.url,
    topicQueueUrl: topicQueue.url,
    topicArn,
    oaiId,
    distributionId,
    teamStatement,
  };
}

/** A distribution set up by hand: one S3 origin read through the OAI, legacy cache settings. */
export async function createOaiDistribution(
  cloudfront: CloudFrontClient,
  options: { bucket: string; oaiId: string; ref: string },
): Promise<string> {
  const distribution = await cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: {
          CallerReference: options.ref,
          Comment: `${options.bucket}, set up by hand`,
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'team-origin',
                DomainName: `${options.bucket}.s3.us-east-1.amazonaws.com`,
                OriginPath: '',
                S3OriginConfig: {
                  OriginAccessIdentity: `origin-access-identity/cloudfront/${options.oaiId}`,
                },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'team-origin',
            ViewerProtocolPolicy: 'allow-all',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
            DefaultTTL: 86_400,
            MaxTTL: 31_536_000,
          },
        },
        Tags: { Items: [{ Key: 'team', Value: 'charts' }] },
      },
    }),
  );
  return distribution.Distribution!.Id!;
}

export async function bucketPolicyOf(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch {
    return undefined;
  }
}

/**
 * The keys of every ObjectCreated record that reached a queue of the team's (an S3 notification,
 * or one wrapped in an SNS envelope), decoded; test events left out. Drains what it reads.
 */
export async function createdKeysIn(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const messages = got.Messages ?? [];
    if (!messages.length) return keys;
    for (const m of messages) {
      let body = JSON.parse(m.Body!) as { Message?: string; Records?: unknown };
      if (typeof body.Message === 'string') body = JSON.parse(body.Message) as typeof body;
      const records = (body.Records ?? []) as Array<{
        eventName: string;
        s3: { object: { key: string } };
      }>;
      for (const r of records) {
        if (r.eventName.startsWith('ObjectCreated:'))
          keys.push(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
      }
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}
