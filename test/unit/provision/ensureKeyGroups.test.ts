/**
 * The key-group half of EnsurePolicies (functions/provision/ensureKeyGroups.ts), for what the
 * emulator cannot show: moto 5.2.1 answers UpdateKeyGroup / GetKeyGroupConfig with 404 and lets
 * two public keys share a name, so key-list repair, reuse of a key uploaded under another name,
 * a lost create race and a name held by another key are forced here with aws-sdk-client-mock.
 * Creation and re-runs against the emulator: test/integration/provisionPrivatePrefixes.test.ts.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  CloudFrontClient,
  CreateKeyGroupCommand,
  CreatePublicKeyCommand,
  GetKeyGroupCommand,
  ListKeyGroupsCommand,
  ListPublicKeysCommand,
  PublicKeyAlreadyExists,
  UpdateKeyGroupCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureKeyGroups } from '../../../functions/provision/ensureKeyGroups.js';
import { DistributionConflict } from '../../../functions/provision/errors.js';
import { parseDistributionSpec } from '../../../shared/distributionSpec.js';

const cf = mockClient(CloudFrontClient);
const client = new CloudFrontClient({ region: 'us-east-1' });
const pem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const KEY_A = pem();
const KEY_B = pem();
const spec = (publicKey: string | string[], keyGroupName?: string) =>
  parseDistributionSpec({
    bucket: 'my-content',
    name: 'docs',
    privatePrefixes: [
      { pathPattern: 'reports/*', publicKey, ...(keyGroupName ? { keyGroupName } : {}) },
    ],
  });
const publicKeys = (items: Array<{ Id: string; Name: string; EncodedKey: string }>) => ({
  PublicKeyList: {
    MaxItems: 100,
    Quantity: items.length,
    Items: items.map((k) => ({ ...k, CreatedTime: new Date() })),
  },
});
const keyGroups = (items: Array<{ Id: string; Name: string; Items: string[] }>) => ({
  KeyGroupList: {
    MaxItems: 100,
    Quantity: items.length,
    Items: items.map((g) => ({
      KeyGroup: {
        Id: g.Id,
        LastModifiedTime: new Date(),
        KeyGroupConfig: { Name: g.Name, Items: g.Items },
      },
    })),
  },
});

beforeEach(() => cf.reset());

describe('ensureKeyGroups', () => {
  it('calls nothing for a spec without private prefixes', async () => {
    const result = await ensureKeyGroups(
      { cloudfront: client },
      { spec: parseDistributionSpec({ bucket: 'my-content' }) },
    );
    expect(result).toEqual({ keyGroupIds: {}, created: [], updated: [] });
    expect(cf.calls()).toHaveLength(0);
  });

  it('reuses a public key uploaded by hand under another name (matched by its encoded key)', async () => {
    const s = spec(KEY_A);
    const group = s.privatePrefixes[0]!.keyGroupName;
    // The same key in another encoding (PKCS#1): CloudFront keeps the text it was given.
    cf.on(ListPublicKeysCommand).resolves(
      publicKeys([
        {
          Id: 'KBYHAND',
          Name: 'reports-signer',
          EncodedKey: createPublicKey(KEY_A).export({ type: 'pkcs1', format: 'pem' }).toString(),
        },
      ]),
    );
    cf.on(ListKeyGroupsCommand).resolves(
      keyGroups([{ Id: 'KG1', Name: group, Items: ['KBYHAND'] }]),
    );
    const result = await ensureKeyGroups({ cloudfront: client }, { spec: s });
    expect(result).toEqual({ keyGroupIds: { [group]: 'KG1' }, created: [], updated: [] });
    expect(cf.commandCalls(CreatePublicKeyCommand)).toHaveLength(0);
    expect(cf.commandCalls(CreateKeyGroupCommand)).toHaveLength(0);
  });

  it('repairs a named key group whose keys drifted (UpdateKeyGroup with its ETag)', async () => {
    const s = spec([KEY_A, KEY_B], 'report-signers');
    cf.on(ListPublicKeysCommand).resolves(publicKeys([{ Id: 'KA', Name: 'a', EncodedKey: KEY_A }]));
    cf.on(CreatePublicKeyCommand).resolves({
      PublicKey: { Id: 'KB', CreatedTime: new Date(), PublicKeyConfig: undefined },
    });
    cf.on(ListKeyGroupsCommand).resolves(
      keyGroups([{ Id: 'KG1', Name: 'report-signers', Items: ['KA'] }]),
    );
    cf.on(GetKeyGroupCommand).resolves({ ETag: 'E1' });
    cf.on(UpdateKeyGroupCommand).resolves({});
    const result = await ensureKeyGroups({ cloudfront: client }, { spec: s });
    expect(result.keyGroupIds).toEqual({ 'report-signers': 'KG1' });
    expect(result.updated).toEqual(['report-signers']);
    expect(result.created).toEqual([
      s.privatePrefixes[0]!.publicKeys.find((k) => k.encodedKey === KEY_B)!.name,
    ]);
    const update = cf.commandCalls(UpdateKeyGroupCommand)[0]!.args[0].input;
    expect(update.IfMatch).toBe('E1');
    expect([...update.KeyGroupConfig!.Items!].sort()).toEqual(['KA', 'KB']);
    const created = cf.commandCalls(CreatePublicKeyCommand)[0]!.args[0].input.PublicKeyConfig!;
    expect(created.EncodedKey).toBe(KEY_B);
    expect(created.CallerReference).toBe(created.Name);
  });

  it('finds the key another run created meanwhile (PublicKeyAlreadyExists)', async () => {
    const s = spec(KEY_A);
    const group = s.privatePrefixes[0]!.keyGroupName;
    cf.on(ListPublicKeysCommand)
      .resolvesOnce(publicKeys([]))
      .resolves(
        publicKeys([
          { Id: 'KRACE', Name: s.privatePrefixes[0]!.publicKeys[0]!.name, EncodedKey: KEY_A },
        ]),
      );
    cf.on(CreatePublicKeyCommand).rejects(
      new PublicKeyAlreadyExists({ message: 'exists', $metadata: {} }),
    );
    cf.on(ListKeyGroupsCommand).resolves(keyGroups([]));
    cf.on(CreateKeyGroupCommand).resolves({
      KeyGroup: { Id: 'KGNEW', LastModifiedTime: new Date(), KeyGroupConfig: undefined },
    });
    const result = await ensureKeyGroups({ cloudfront: client }, { spec: s });
    expect(result).toEqual({ keyGroupIds: { [group]: 'KGNEW' }, created: [group], updated: [] });
    expect(cf.commandCalls(CreateKeyGroupCommand)[0]!.args[0].input.KeyGroupConfig!.Items).toEqual([
      'KRACE',
    ]);
  });

  it('refuses to reuse our key name held by another key', async () => {
    const s = spec(KEY_A);
    cf.on(ListPublicKeysCommand).resolves(
      publicKeys([
        { Id: 'KOTHER', Name: s.privatePrefixes[0]!.publicKeys[0]!.name, EncodedKey: KEY_B },
      ]),
    );
    await expect(ensureKeyGroups({ cloudfront: client }, { spec: s })).rejects.toThrow(
      DistributionConflict,
    );
    expect(cf.commandCalls(CreatePublicKeyCommand)).toHaveLength(0);
  });
});
