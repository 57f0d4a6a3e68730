/**
 * Ensure the spec's origin access control (`cdnp-<name>-oac`): found by name, else created.
 */
import {
  CreateOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { originAccessControlConfig } from './policies.js';
import { createOrFind, listAll } from './lookup.js';
import type { OacResult, SpecInput } from './types.js';

export async function findOriginAccessControl(
  cloudfront: CloudFrontClient,
  name: string,
): Promise<string | undefined> {
  const items = await listAll(async (Marker) => {
    const out = await cloudfront.send(new ListOriginAccessControlsCommand({ Marker }));
    const list = out.OriginAccessControlList;
    return { items: list?.Items ?? [], nextMarker: list?.NextMarker };
  });
  return items.find((oac) => oac.Name === name)?.Id;
}

export async function ensureOriginAccessControl(
  deps: { cloudfront: CloudFrontClient },
  input: SpecInput,
): Promise<OacResult> {
  const config = originAccessControlConfig(input.spec);
  const name = config.Name!;
  const existing = await findOriginAccessControl(deps.cloudfront, name);
  if (existing) return { originAccessControlId: existing, created: false };
  const { value, created } = await createOrFind(
    async () => {
      const out = await deps.cloudfront.send(
        new CreateOriginAccessControlCommand({ OriginAccessControlConfig: config }),
      );
      return out.OriginAccessControl!.Id!;
    },
    ['OriginAccessControlAlreadyExists'],
    () => findOriginAccessControl(deps.cloudfront, name),
  );
  return { originAccessControlId: value, created };
}
