/**
 * Cache tags (README "Cache tags"): ingest may read an object (HeadObject, authorized as
 * s3:GetObject) only when `cacheTagBuckets` is set; resources/optionalGrants.cjs drops the
 * statement otherwise, and the setting reaches ingest's environment.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from './expected.js';
import { PARAMS } from './runs.js';
import { usePackagedStack } from './stack.js';
import { asArray, type Cfn, type CfnTemplate } from './template.js';

const stack = usePackagedStack();

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Cfn;
}

function ingestStatements(template: CfnTemplate): Statement[] {
  const role = template.Resources[FUNCTIONS.ingest.role] as unknown as {
    Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
  };
  return role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
}

function ingestEnv(template: CfnTemplate): Record<string, Cfn> {
  const fn = template.Resources[FUNCTIONS.ingest.id] as unknown as {
    Properties: { Environment: { Variables: Record<string, Cfn> } };
  };
  return fn.Properties.Environment.Variables;
}

const reads = (statements: Statement[]) =>
  statements.filter((s) =>
    asArray(s.Action).some((a) => a === 's3:GetObject' || a === 's3:GetObjectVersion'),
  );

describe('cache tags: ingest reads objects only when asked', () => {
  it('grants ingest no s3:GetObject by default, and sets no CACHE_TAG_BUCKETS', () => {
    const template = stack.base.template;
    expect(reads(ingestStatements(template))).toEqual([]);
    const env = ingestEnv(template);
    expect(env).not.toHaveProperty('CACHE_TAG_BUCKETS');
  });

  it('with cacheTagBuckets, grants HeadObject on the content objects only, and passes the setting', () => {
    const template = stack.withParams.template;
    const statements = reads(ingestStatements(template));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Sid: 'CacheTagMetadata', Effect: 'Allow' });
    expect(asArray(statements[0]!.Action).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    // The same object ARNs as ingest's tagging grant: the content bucket's objects, nothing wider.
    const tagging = ingestStatements(template).find((s) =>
      asArray(s.Action).includes('s3:PutObjectTagging'),
    );
    expect(statements[0]!.Resource).toEqual(tagging!.Resource);
    const env = ingestEnv(template);
    expect(env.CACHE_TAG_BUCKETS).toBe(PARAMS.cacheTagBuckets);
  });
});
