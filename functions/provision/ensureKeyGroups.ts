/**
 * Ensure the public keys and key groups of the spec's private prefixes (part of the
 * `ensurePolicies` task): each public key is found by its encoded key (any name: a key uploaded
 * by hand is reused) or created as `cdnp-<name>-<fingerprint>`; each key group is found by name
 * and its key list repaired (UpdateKeyGroup, IfMatch) when it drifted, or created. A re-run of
 * the same spec creates nothing. Only public keys ever pass through here.
 */
import { createHash, createPublicKey } from 'node:crypto';
import {
  CreateKeyGroupCommand,
  CreatePublicKeyCommand,
  GetKeyGroupCommand,
  ListKeyGroupsCommand,
  ListPublicKeysCommand,
  UpdateKeyGroupCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  keyGroupsOf,
  type DistributionSpec,
  type PublicKeySpec,
} from '../../shared/distributionSpec.js';
import { DistributionConflict } from './errors.js';
import { createOrFind, listAll } from './lookup.js';

export interface KeyGroupsResult {
  /** Key group id by key group name. */
  readonly keyGroupIds: Record<string, string>;
  /** Names of the public keys and key groups this run created. */
  readonly created: string[];
  /** Names of the key groups whose keys this run repaired. */
  readonly updated: string[];
}

interface ExistingKey {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string | undefined;
}

/** Hex SHA-256 of an encoded key's DER (SPKI), undefined when it does not parse. */
function fingerprint(encodedKey: string | undefined): string | undefined {
  if (!encodedKey) return undefined;
  try {
    const der = createPublicKey(encodedKey).export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('hex');
  } catch {
    return undefined;
  }
}

async function listPublicKeys(cloudfront: CloudFrontClient): Promise<ExistingKey[]> {
  const items = await listAll(async (Marker) => {
    const out = await cloudfront.send(new ListPublicKeysCommand({ Marker }));
    return { items: out.PublicKeyList?.Items ?? [], nextMarker: out.PublicKeyList?.NextMarker };
  });
  return items.flatMap((k) =>
    k.Id ? [{ id: k.Id, name: k.Name ?? '', fingerprint: fingerprint(k.EncodedKey) }] : [],
  );
}

/** The account's key groups by name: id and public key ids. */
export async function listKeyGroups(
  cloudfront: CloudFrontClient,
): Promise<Map<string, { id: string; items: string[] }>> {
  const items = await listAll(async (Marker) => {
    const out = await cloudfront.send(new ListKeyGroupsCommand({ Marker }));
    return { items: out.KeyGroupList?.Items ?? [], nextMarker: out.KeyGroupList?.NextMarker };
  });
  const byName = new Map<string, { id: string; items: string[] }>();
  for (const { KeyGroup: g } of items) {
    const name = g?.KeyGroupConfig?.Name;
    if (g?.Id && name && !byName.has(name)) {
      byName.set(name, { id: g.Id, items: g.KeyGroupConfig?.Items ?? [] });
    }
  }
  return byName;
}

/** The existing key with this fingerprint (ours by name first), else undefined. */
function match(existing: readonly ExistingKey[], key: PublicKeySpec): ExistingKey | undefined {
  const same = existing.filter((k) => k.fingerprint === key.fingerprint);
  return same.find((k) => k.name === key.name) ?? same[0];
}

async function ensurePublicKey(
  cloudfront: CloudFrontClient,
  existing: readonly ExistingKey[],
  key: PublicKeySpec,
  specName: string,
): Promise<{ id: string; created: boolean }> {
  const found = match(existing, key);
  if (found) return { id: found.id, created: false };
  if (existing.some((k) => k.name === key.name)) {
    throw new DistributionConflict(
      `public key ${key.name} exists with another encoded key; cdn-pipeline names public keys after their fingerprint, so someone else made it. Rename or delete it, then run provision again`,
    );
  }
  const { value, created } = await createOrFind(
    async () => {
      const out = await cloudfront.send(
        new CreatePublicKeyCommand({
          PublicKeyConfig: {
            // Deterministic: a retried create is recognised by CloudFront, not duplicated.
            CallerReference: key.name,
            Name: key.name,
            EncodedKey: key.encodedKey,
            Comment: `cdn-pipeline ${specName}: verifies signed URLs of private prefixes`.slice(
              0,
              128,
            ),
          },
        }),
      );
      return out.PublicKey!.Id!;
    },
    ['PublicKeyAlreadyExists'],
    async () => match(await listPublicKeys(cloudfront), key)?.id,
  );
  return { id: value, created };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

export async function ensureKeyGroups(
  deps: { cloudfront: CloudFrontClient },
  input: { spec: Pick<DistributionSpec, 'name' | 'privatePrefixes'> },
): Promise<KeyGroupsResult> {
  const { cloudfront } = deps;
  const { spec } = input;
  const result: KeyGroupsResult = { keyGroupIds: {}, created: [], updated: [] };
  const groups = keyGroupsOf(spec.privatePrefixes ?? []);
  if (groups.length === 0) return result;

  const existingKeys = await listPublicKeys(cloudfront);
  const keyIds = new Map<string, string>();
  // One at a time: a handful of calls, and CloudFront's control plane throttles bursts.
  for (const key of groups.flatMap((g) => g.publicKeys)) {
    if (keyIds.has(key.fingerprint)) continue;
    const { id, created } = await ensurePublicKey(cloudfront, existingKeys, key, spec.name);
    keyIds.set(key.fingerprint, id);
    if (created) result.created.push(key.name);
  }

  const existingGroups = await listKeyGroups(cloudfront);
  for (const group of groups) {
    const items = group.publicKeys.map((k) => keyIds.get(k.fingerprint)!);
    const config = {
      Name: group.name,
      Items: items,
      Comment: `cdn-pipeline ${spec.name}: trusted signers of its private prefixes`.slice(0, 128),
    };
    const found = existingGroups.get(group.name);
    if (found) {
      result.keyGroupIds[group.name] = found.id;
      if (sameSet(found.items, items)) continue;
      const current = await cloudfront.send(new GetKeyGroupCommand({ Id: found.id }));
      await cloudfront.send(
        new UpdateKeyGroupCommand({ Id: found.id, IfMatch: current.ETag, KeyGroupConfig: config }),
      );
      result.updated.push(group.name);
      continue;
    }
    const { value, created } = await createOrFind(
      async () =>
        (await cloudfront.send(new CreateKeyGroupCommand({ KeyGroupConfig: config }))).KeyGroup!
          .Id!,
      ['KeyGroupAlreadyExists'],
      async () => (await listKeyGroups(cloudfront)).get(group.name)?.id,
    );
    result.keyGroupIds[group.name] = value;
    if (created) result.created.push(group.name);
  }
  return result;
}
