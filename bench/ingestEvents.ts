/** BENCH ONLY. SQS events of S3 notifications as AWS sends them for a versioned bucket. */
import type { SQSEvent } from 'aws-lambda';

/** One SQS message per upload, each an ObjectCreated:Put record naming its version. */
let messageSeq = 0;
export function eventFor(
  bucket: string,
  uploads: ReadonlyArray<{ key: string; versionId: string; eTag: string }>,
): SQSEvent {
  return {
    Records: uploads.map((u) => {
      messageSeq += 1;
      return {
        messageId: `bench-${messageSeq}`,
        receiptHandle: `handle-${messageSeq}`,
        body: JSON.stringify({
          Records: [
            {
              eventVersion: '2.1',
              eventSource: 'aws:s3',
              awsRegion: 'us-east-1',
              eventTime: new Date().toISOString(),
              eventName: 'ObjectCreated:Put',
              s3: {
                s3SchemaVersion: '1.0',
                bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
                object: {
                  key: encodeURIComponent(u.key),
                  size: 8,
                  eTag: u.eTag,
                  versionId: u.versionId,
                  sequencer: messageSeq.toString(16).toUpperCase().padStart(18, '0'),
                },
              },
            },
          ],
        }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench-object-events',
        awsRegion: 'us-east-1',
      };
    }),
  };
}
