#!/usr/bin/env node
// The `cdn-pipeline` command. Runs the TypeScript sources directly (tsx), so a checkout needs
// no build step: `npx cdn-pipeline --help`.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
