/**
 * The `notify` Task state's Lambda (serverless.yml: `functions/provision/tasks/notify.handler`):
 * its own entry file (SNS and the mail, nothing of the other tasks). The only task that needs
 * configuration (the topic); `notifyTask` is the bare handler.
 */
import { lazyClients } from '../../../shared/clients/lazy.js';
import { snsClient } from '../../../shared/clients/sns.js';
import { ConfigError } from '../../../shared/errors.js';
import { lambdaHandler } from '../../../shared/observability.js';
import { loadNotifyConfig, type NotifyConfig } from '../config.js';
import { notify as notifyCore } from '../notify.js';
import { parse, run, schemas } from '../taskInput.js';
import type { NotifyResult, ProvisionClients } from '../types.js';

/** `config` is read at each call: a task set built without it fails only when notify runs. */
export function notifyTask(
  clients: Pick<ProvisionClients, 'sns'>,
  config: () => NotifyConfig | undefined,
): (input: unknown) => Promise<NotifyResult> {
  return (input) => {
    const parsed = parse('notify', schemas.notify, input);
    return run('notify', { outcome: parsed.outcome, execution: parsed.execution }, () => {
      const known = config();
      if (!known)
        throw new ConfigError('ALERTS_TOPIC_ARN', 'notify was built without its configuration');
      return notifyCore(
        { sns: clients.sns, config: known },
        parsed as Parameters<typeof notifyCore>[1],
      );
    });
  };
}

export const handler = lambdaHandler<unknown, NotifyResult>(() => {
  const config = loadNotifyConfig();
  return notifyTask(lazyClients({ sns: snsClient }), () => config);
});
