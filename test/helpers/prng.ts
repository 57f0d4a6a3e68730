/** The project's one seeded PRNG (local/prng.ts), for tests. */
export { prng } from '../../local/prng.js';
