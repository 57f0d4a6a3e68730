/**
 * A moto server for one test file, on a free port, with clients pointed at it.
 *
 *   const emu = await startTestEmulator();
 *   afterAll(() => emu.stop());
 */
import { createClients, type AwsClients } from '../../shared/clients.js';
import { startEmulator } from '../../local/emulator.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const TEST_REGION = 'us-east-1';

export interface TestEmulator {
  readonly endpoint: string;
  readonly clients: AwsClients;
  stop(): Promise<void>;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const emulator = await startEmulator({ port: 0, reuse: false });
  const clients = createClients({
    endpoint: emulator.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  return { endpoint: emulator.endpoint, clients, stop: () => emulator.stop() };
}
