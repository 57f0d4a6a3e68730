/**
 * `lazyClients({ s3: s3Client, sqs: sqsClient })`: an object whose properties are the named
 * clients, each built on first use and then kept. A function imports the factories of the
 * clients it calls and no others, so its bundle holds only those SDK clients.
 */
import { clientSettings, type ClientFactory, type ClientFactoryOptions } from './settings.js';

export type LazyClients<F extends Record<string, ClientFactory<unknown>>> = {
  readonly [K in keyof F]: ReturnType<F[K]>;
};

/** Settings are resolved now (a bad variable fails at once); the clients when first read. */
export function lazyClients<F extends Record<string, ClientFactory<unknown>>>(
  factories: F,
  options: ClientFactoryOptions = {},
): LazyClients<F> {
  const settings = clientSettings(options);
  const built = new Map<string, unknown>();
  const clients = {};
  for (const name of Object.keys(factories))
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        if (!built.has(name)) built.set(name, factories[name]!(settings));
        return built.get(name);
      },
    });
  return clients as LazyClients<F>;
}
