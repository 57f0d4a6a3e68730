/**
 * `startEmulator` on a port that is already taken (`npm start -- --port P`): a busy emulator that
 * is slow to answer is reused, never shadowed by a second moto that cannot bind the port (which
 * exits with code 1 moments later and reads as "the emulator was lost"); a port held by something
 * that is not an emulator is a clear error naming the port.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startEmulator } from '../../local/emulator.js';

const servers: (Server | TcpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(() => r(undefined)))));
});

async function listen(server: Server | TcpServer, port: number): Promise<void> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

describe('startEmulator on a port already in use', () => {
  it('reuses an emulator that takes longer than the quick probe to answer', async () => {
    const port = await freePort('127.0.0.1');
    // Answers /moto-api/ as moto does, but only after 2.5 s: a loaded machine's moto.
    await listen(
      createHttpServer((req, res) => {
        setTimeout(() => res.writeHead(req.url === '/moto-api/' ? 200 : 404).end('ok'), 2_500);
      }),
      port,
    );
    const emulator = await startEmulator({ port, reuse: true, install: false });
    try {
      expect(emulator.owned).toBe(false);
      expect(emulator.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(emulator.exited).toBeUndefined();
    } finally {
      await emulator.stop();
    }
  }, 30_000);

  it('refuses, naming the port, when what holds it does not answer as an emulator', async () => {
    const port = await freePort('127.0.0.1');
    await listen(
      createTcpServer((socket) => socket.destroy()),
      port,
    );
    await expect(startEmulator({ port, reuse: true, install: false })).rejects.toThrow(
      new RegExp(`port ${port} .*in use`),
    );
  }, 30_000);
});
