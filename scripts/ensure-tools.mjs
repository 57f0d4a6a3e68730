#!/usr/bin/env node
// Makes sure the Python tools the tests need are installed: moto (the local AWS emulator) and
// cfn-lint (the CloudFormation linter). Installs what is missing with pip; fails with the exact
// command to run when that is not possible. Plain JavaScript: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';

const tools = [
  {
    name: 'moto',
    check: ['python3', ['-c', 'import moto.server, flask']],
    spec: 'moto[server]>=5.1,<6',
  },
  { name: 'cfn-lint', check: ['cfn-lint', ['--version']], spec: 'cfn-lint' },
];

let failed = false;
for (const tool of tools) {
  const [cmd, args] = tool.check;
  if (spawnSync(cmd, args, { stdio: 'ignore' }).status === 0) {
    console.log(`${tool.name}: present`);
    continue;
  }
  console.log(`${tool.name}: missing, installing with: python3 -m pip install "${tool.spec}"`);
  const install = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', tool.spec], {
    stdio: 'inherit',
  });
  if (install.status !== 0 || spawnSync(cmd, args, { stdio: 'ignore' }).status !== 0) {
    console.error(
      `${tool.name}: could not be installed. Run: python3 -m pip install "${tool.spec}"`,
    );
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
