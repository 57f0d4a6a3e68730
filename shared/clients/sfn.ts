import { SFNClient } from '@aws-sdk/client-sfn';
import type { ClientFactory } from './settings.js';

export const sfnClient: ClientFactory<SFNClient> = ({ common, region }) =>
  new SFNClient({ ...common, region });
