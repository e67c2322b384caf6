// <linux/random.h>: the kernel's random numbers. On Linux they come from the ChaCha-based CRNG
// (drivers/char/random.c); here they come from a PRNG seeded by the kernel's seed, so a module that
// draws a random MAC address or a random delay gets the same values on every run with the same
// seed, and a different seed gives different values (as a different boot would).
//
// Invariant: the stream is separate from the one that lays out memory (mm/layout.ts's Rng of the
// MM), so a module's draws never move the addresses of later allocations.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import { Rng } from '../mm/layout';
import { fromHalves, ubig } from '../../vm/value';

/** Mixed into the seed so the CRNG stream differs from the memory layout's stream. */
const CRNG_SEED_SALT = 0x63726e67; // "crng"

const crngs = new WeakMap<Kernel, Rng>();

/** The kernel's random stream, created on first use. */
function crng(k: Kernel): Rng {
  let r = crngs.get(k);
  if (!r) {
    r = new Rng((k.options.seed ^ CRNG_SEED_SALT) >>> 0);
    crngs.set(k, r);
  }
  return r;
}

export const RANDOM_EXPORTS: KernelExport[] = [
  {
    name: 'get_random_u32', header: 'linux/random.h', proto: 'u32 get_random_u32(void)', doc: 'A random 32-bit number from the kernel CRNG (seeded: the same seed gives the same numbers).',
    impl: (k) => crng(k).next(),
  },
  {
    name: 'get_random_u64', header: 'linux/random.h', proto: 'u64 get_random_u64(void)', doc: 'A random 64-bit number from the kernel CRNG (seeded: the same seed gives the same numbers).',
    impl: (k) => {
      const r = crng(k);
      const hi = r.next();
      return fromHalves(r.next(), hi);
    },
  },
  {
    name: 'get_random_bytes', header: 'linux/random.h', proto: 'void get_random_bytes(void *buf, size_t len)', doc: 'Fill a buffer with random bytes from the kernel CRNG.', derefs: [0],
    impl: (k, a) => {
      const len = Number(ubig(a[1]));
      if (len <= 0 || len > 1 << 20) return undefined;
      const r = crng(k);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i += 4) {
        const w = r.next();
        for (let j = 0; j < 4 && i + j < len; j++) bytes[i + j] = (w >>> (8 * j)) & 0xff;
      }
      k.mem.writeBytes(a[0], bytes);
      return undefined;
    },
  },
];
