/**
 * A local osls plugin (listed after serverless-iam-roles-per-function in serverless.yml): drops
 * the framework's default Lambda role `IamRoleLambdaExecution` once every function has its own.
 *
 * osls creates the default role before plugins run; serverless-iam-roles-per-function copies it as
 * the template of each function's role and leaves it in the stack, unused: a role with log
 * permissions on every function of the stack that nothing assumes. This removes it only when
 * nothing in the template refers to it any more (a function without `iamRoleStatements` would
 * still use it, and then it stays).
 *
 * CommonJS because osls loads plugins with require().
 */
/* global module */
'use strict';

const DEFAULT_ROLE = 'IamRoleLambdaExecution';

class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    if (!template.Resources[DEFAULT_ROLE]) return;
    const { [DEFAULT_ROLE]: role, ...others } = template.Resources;
    const referenced = JSON.stringify({ others, outputs: template.Outputs ?? {} }).includes(
      `"${DEFAULT_ROLE}"`,
    );
    if (referenced || !role) return;
    delete template.Resources[DEFAULT_ROLE];
  }
}

module.exports = DropUnusedDefaultRole;
