import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ClientFactory } from './settings.js';

export const cloudformationClient: ClientFactory<CloudFormationClient> = ({ common, region }) =>
  new CloudFormationClient({ ...common, region });
