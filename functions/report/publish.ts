/**
 * What every report mail needs of the config. Publishing itself (and the count of mails that
 * could not be published) is `shared/alarms/publishMail.ts`, shared with the health check.
 */
import type { MailContext } from './mail.js';
import type { ReportCoreDeps } from './types.js';

/** What every report mail needs of the config (stage, region, dashboard link). */
export function mailContext(config: ReportCoreDeps['config']): MailContext {
  return { stage: config.stage, region: config.region, dashboardName: config.dashboardName };
}
