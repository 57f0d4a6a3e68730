/**
 * A local osls plugin: removes the IAM statements of features that are off, so a function's role
 * holds only what the deployed configuration can call. Each optional statement carries a `Sid`
 * naming it; the table below says which setting keeps it.
 *
 * - `CacheTagMetadata` (ingest): s3:GetObject / s3:GetObjectVersion, which HeadObject needs to
 *   read an object's cache-tag metadata — only when `cacheTagBuckets` names buckets
 *   (README "Cache tags"). Without it ingest reads no object at all.
 *
 * Runs at the first event of `package` (which `deploy` runs too), once variables are resolved and
 * before serverless-iam-roles-per-function builds the roles. CommonJS because osls loads plugins
 * with require().
 */
/* global module */
'use strict';

/** Sid → whether the resolved service keeps it. */
const OPTIONAL = {
  CacheTagMetadata: (service) => String(service.custom?.cacheTagBuckets ?? '').trim() !== '',
};

class OptionalGrants {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:cleanup': () => this.drop() };
  }

  drop() {
    const { service } = this.serverless;
    for (const fn of Object.values(service.functions ?? {})) {
      if (!Array.isArray(fn?.iamRoleStatements)) continue;
      fn.iamRoleStatements = fn.iamRoleStatements.filter(
        (statement) => !(statement.Sid in OPTIONAL) || OPTIONAL[statement.Sid](service),
      );
    }
  }
}

module.exports = OptionalGrants;
