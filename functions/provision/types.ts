/**
 * The contract between the provisioning state machine (`statemachines/`) and its task functions:
 * each task's input (the slice the ASL passes in Parameters) and output (stored at its
 * ResultPath). Plain JSON both ways.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DistributionSpec } from '../../shared/distributionSpec.js';
import type { Adoption, AdoptInput } from './adoption.js';

/** The clients the cores take as arguments. */
export interface ProvisionClients {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

export interface ValidateInput {
  readonly spec: unknown;
  readonly options?: {
    readonly pollSeconds?: number;
    readonly maxWaitSeconds?: number;
    /** Provision even when the bucket is public (`--allow-public`): a warning, not a refusal. */
    readonly allowPublic?: boolean;
  };
  readonly stage?: string;
  readonly adopt?: AdoptInput;
}

/** `$.validated` */
export interface Validated {
  readonly spec: DistributionSpec;
  readonly callerReference: string;
  readonly pollSeconds: number;
  readonly maxPolls: number;
  /** '' when the caller gave none (no stage tag is written then). */
  readonly stage: string;
  /** Adopting: the distribution as the preflight found it; `{}` otherwise. */
  readonly adoption: Adoption | Record<string, never>;
  /** Public grants provisioning was allowed to keep (`allowPublic`), or that BPA neutralises. */
  readonly publicAccessWarnings?: string[];
}

export interface SpecInput {
  readonly spec: DistributionSpec;
}

/** `$.oac` */
export interface OacResult {
  readonly originAccessControlId: string;
  readonly created: boolean;
}

/** `$.policies` */
export interface PoliciesResult {
  /** Cache policy id by policy name. */
  readonly cachePolicyIds: Record<string, string>;
  readonly responseHeadersPolicyId: string;
  /** Managed CORS-S3Origin when CORS is on; absent otherwise. */
  readonly originRequestPolicyId?: string;
  /** Key group id by name, for the private prefixes (`{}` without any). */
  readonly keyGroupIds?: Record<string, string>;
  /** Names of the policies this run created. */
  readonly created: string[];
  /** Names of the policies this run updated (their config had drifted from the spec). */
  readonly updated: string[];
}

export interface EnsureDistributionInput {
  readonly spec: DistributionSpec;
  readonly callerReference: string;
  readonly oac: Pick<OacResult, 'originAccessControlId'>;
  readonly policies: Pick<
    PoliciesResult,
    'cachePolicyIds' | 'responseHeadersPolicyId' | 'originRequestPolicyId' | 'keyGroupIds'
  >;
  readonly stage?: string;
  /** The workflow input's `adopt` (`{}` when not adopting). */
  readonly adopt?: AdoptInput;
}

export const DISTRIBUTION_ACTIONS = ['created', 'updated', 'unchanged'] as const;
export type DistributionAction = (typeof DISTRIBUTION_ACTIONS)[number];

/** `$.distribution` */
export interface DistributionResult {
  readonly distributionId: string;
  /** As the API returned it (the emulator's lacks the `::`). */
  readonly arn: string;
  readonly domainName: string;
  readonly status: string;
  readonly action: DistributionAction;
  /** Top-level DistributionConfig fields changed (and `Tags` when tags were added). */
  readonly changes: string[];
}

export interface BucketPolicyInput {
  readonly bucket: string;
  readonly distributionArn: string;
}

/** RetireOriginAccessIdentity: the bucket policy task, once the adopted OAC config is Deployed. */
export interface RetireOaiInput extends BucketPolicyInput {
  readonly retireOriginAccessIdentities: readonly string[];
}

/** `$.retired` (`changed`: the bucket policy was rewritten). */
export interface RetireOaiResult extends BucketPolicyResult {
  /** OAIs whose grants left the bucket policy. */
  readonly revoked: string[];
  /** OAIs deleted (no distribution used them any more). */
  readonly deleted: string[];
  /** OAIs kept, grant and all, with the distributions that still read through them. */
  readonly kept: Array<{ readonly id: string; readonly usedBy: string[] }>;
}

/** `$.bucketPolicy` */
export interface BucketPolicyResult {
  readonly changed: boolean;
  readonly sid: string;
  /** Sids of Allow statements open to everyone that the policy already held (left untouched). */
  readonly publicStatements: string[];
}

export interface MonitoringInput {
  readonly distributionId: string;
  readonly enabled: boolean;
}

/** `$.monitoring` */
export interface MonitoringResult {
  /** Whether the subscription is enabled after this run (an existing one is kept when not asked). */
  readonly enabled: boolean;
  readonly changed: boolean;
}

export interface CheckDeploymentInput {
  readonly distributionId: string;
  readonly polls: number;
  readonly maxPolls: number;
}

/** `$.wait` */
export interface CheckDeploymentResult {
  readonly status: string;
  readonly deployed: boolean;
  readonly polls: number;
  readonly maxPolls: number;
  readonly timedOut: boolean;
}

export const NOTIFY_OUTCOMES = ['ready', 'failed', 'timeout'] as const;
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

/** What Step Functions puts at a Catch's ResultPath. */
export interface StepFunctionsError {
  readonly Error: string;
  readonly Cause: string;
}

export interface NotifyInput {
  readonly outcome: NotifyOutcome;
  /** Execution ARN (or name): linked from the mail. */
  readonly execution?: string;
  readonly distribution?: Partial<DistributionResult>;
  readonly validated?: Partial<Validated>;
  readonly error?: StepFunctionsError;
  /** Optional: the state that failed (`EnsureDistribution`); inferred from the error otherwise. */
  readonly step?: string;
  /** Optional: `$$.Execution.StartTime`, for the elapsed time. */
  readonly startedAt?: string;
  /** Optional: `$.wait`, for the status and the number of polls. */
  readonly wait?: Partial<CheckDeploymentResult>;
}

/** `$.notified` */
export interface NotifyResult {
  /** False when the workflow skipped the mail (the ASL's AlreadyAnnounced: nothing changed). */
  readonly sent: boolean;
  readonly messageId: string;
  readonly subject: string;
}
