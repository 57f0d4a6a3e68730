import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ClientFactory } from './settings.js';

/** EventBridge, in the stack's region (the health check reads the object-created rule). */
export const eventbridgeClient: ClientFactory<EventBridgeClient> = ({ common, region }) =>
  new EventBridgeClient({ ...common, region });
