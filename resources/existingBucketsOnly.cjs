/**
 * A local osls plugin (first in serverless.yml's list): removes the functions that only existing
 * buckets need when the stack creates its own bucket. Today that is `bucketEvents`, the custom
 * resource that turns S3's EventBridge delivery on for a bucket the team already has
 * (resources/contentBuckets.cjs): the stack's own bucket notifies object-events directly, so
 * without `contentBuckets` the function would be deployed with nothing to do.
 *
 * The function stays declared in serverless.yml (one place for every function, read by the bench
 * and the bundle test); this drops it at the first event of `package`, before anything is built
 * or compiled.
 *
 * CommonJS because osls loads plugins with require().
 */
/* global module */
'use strict';

const EXISTING_BUCKETS_ONLY = ['bucketEvents'];

class ExistingBucketsOnly {
  constructor(serverless) {
    this.serverless = serverless;
    // The first event of `package` (which `deploy` runs too): variables are resolved by then.
    this.hooks = { 'before:package:cleanup': () => this.drop() };
  }

  drop() {
    const { service } = this.serverless;
    if (service.custom?.contentBuckets?.existing === true) return;
    for (const name of EXISTING_BUCKETS_ONLY) delete service.functions[name];
  }
}

module.exports = ExistingBucketsOnly;
