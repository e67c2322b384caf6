// Time: `jiffies` (a real variable in the kernel image's data, kept current as the virtual clock
// moves: kernel/kdata.ts) and the ktime accessors of <linux/timekeeping.h>. CLOCK_MONOTONIC and
// CLOCK_BOOTTIME are the nanoseconds since boot of the virtual clock (clock.ts); CLOCK_REALTIME
// adds the boot's wall-clock time. Nothing here sleeps.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { I64 } from '../../vm/value';
import { fromBig } from '../../vm/value';

const monotonic = (k: Kernel): number => k.k.clock.nanos();
/** CLOCK_REALTIME in ns: the boot's wall time plus the time since boot (beyond 2^53: a bigint I64). */
const realtime = (k: Kernel): I64 => fromBig(BigInt(k.k.clock.wallClockMs(0)) * 1_000_000n + BigInt(k.k.clock.nanos()));

export const TIME_EXPORTS: KernelExport[] = [
  {
    name: 'jiffies', header: 'linux/jiffies.h', proto: 'volatile unsigned long jiffies', doc: 'Timer ticks since boot: HZ (250) per second, starting 5 minutes before the 32-bit wrap (INITIAL_JIFFIES).',
    data: { size: 8, update: (k, addr) => k.mem.st64(addr, k.k.clock.jiffies) },
  },
  {
    name: 'jiffies_64', header: 'linux/jiffies.h', proto: 'u64 jiffies_64', doc: 'The 64-bit jiffies counter (the same variable as jiffies on x86_64).',
    data: { size: 8, update: (k, addr) => k.mem.st64(addr, k.k.clock.jiffies) },
  },
  {
    name: 'ktime_get', header: 'linux/timekeeping.h', proto: 'ktime_t ktime_get(void)', doc: 'CLOCK_MONOTONIC now, in nanoseconds (ktime_t).',
    impl: (k) => monotonic(k),
  },
  {
    name: 'ktime_get_ns', header: 'linux/timekeeping.h', proto: 'u64 ktime_get_ns(void)', doc: 'CLOCK_MONOTONIC now, in nanoseconds.',
    impl: (k) => monotonic(k),
  },
  {
    name: 'ktime_get_boottime_ns', header: 'linux/timekeeping.h', proto: 'u64 ktime_get_boottime_ns(void)', doc: 'CLOCK_BOOTTIME now (monotonic, counting suspend), in nanoseconds.',
    impl: (k) => monotonic(k),
  },
  {
    name: 'ktime_get_real_ns', header: 'linux/timekeeping.h', proto: 'u64 ktime_get_real_ns(void)', doc: 'CLOCK_REALTIME (wall clock) now, in nanoseconds since the epoch.',
    impl: (k) => realtime(k),
  },
  {
    name: 'ktime_get_seconds', header: 'linux/timekeeping.h', proto: 'time64_t ktime_get_seconds(void)', doc: 'CLOCK_MONOTONIC now, in whole seconds.',
    impl: (k) => Math.floor(monotonic(k) / 1e9),
  },
  {
    name: 'ktime_get_real_seconds', header: 'linux/timekeeping.h', proto: 'time64_t ktime_get_real_seconds(void)', doc: 'The wall clock now, in seconds since the epoch.',
    impl: (k) => Math.floor(k.k.clock.wallClockMs() / 1000),
  },
];
