/**
 * The defaults of the functions' config schemas, for the few places of the template that need a
 * function setting at deploy time: the dashboard's threshold lines (resources/dashboard.yml),
 * used when the parameter is not set. Read from the config loaders themselves, so each default
 * is written once, in the schema.
 *
 *   ${param:hitRateMin, file(resources/schemaDefaults.cjs):report.hitRateMin}
 *
 * CommonJS because osls loads it with require(); the TypeScript modules are loaded with tsx.
 */
/* global module, __filename */
'use strict';

/** Placeholders for the settings that have no default (the loader requires them). */
const REQUIRED_REPORT_SETTINGS = {
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:schema-defaults',
  ALARM_TABLE: 'schema-defaults',
};

let loaded;

async function load() {
  const { tsImport } = await import('tsx/esm/api');
  const { loadReportConfig } = await tsImport('../functions/report/config.ts', __filename);
  const report = loadReportConfig(REQUIRED_REPORT_SETTINGS);
  return { report: { ...report.thresholds } };
}

module.exports = () => (loaded ??= load());
