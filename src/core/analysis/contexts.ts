// Which function-pointer members of kernel structures the kernel calls in which context. A
// function stored in `.ndo_set_rx_mode` of a `struct net_device_ops` runs with the device's
// address-list spinlock held and softirqs disabled, so it must not sleep although no lock is
// visible in the module. Sources: Documentation/networking/netdevices.rst (net_device_ops),
// Documentation/core-api/local_ops and the timers documentation (timer_list, hrtimer, tasklet),
// Documentation/driver-api/usb (URB completion), Documentation/filesystems/vfs.rst (file_operations).
// Data only; callgraph.ts reads it.

import type { CallbackContext } from './kernelApi';

export interface MemberContext {
  readonly context: CallbackContext;
  /** Why, in the kernel's words, for the message. */
  readonly why: string;
}

const NETDEV_ATOMIC = 'the networking core calls it with softirqs disabled';

const MEMBERS: Readonly<Record<string, Readonly<Record<string, MemberContext>>>> = {
  net_device_ops: {
    ndo_set_rx_mode: { context: 'bh', why: 'the networking core calls .ndo_set_rx_mode with netif_addr_lock_bh() held' },
    ndo_set_multicast_list: { context: 'bh', why: 'the networking core calls it with netif_addr_lock_bh() held' },
    ndo_start_xmit: { context: 'bh', why: `${NETDEV_ATOMIC} and the TX queue lock held` },
    ndo_tx_timeout: { context: 'bh', why: `${NETDEV_ATOMIC} and netif_tx_lock held` },
    ndo_get_stats: { context: 'bh', why: 'it may be called under dev_base_lock or RCU (atomic)' },
    ndo_get_stats64: { context: 'bh', why: 'it may be called under dev_base_lock or RCU (atomic)' },
    ndo_select_queue: { context: 'bh', why: NETDEV_ATOMIC },
  },
  timer_list: { function: { context: 'timer', why: 'timer callbacks run in softirq context' } },
  hrtimer: { function: { context: 'hrtimer', why: 'hrtimer callbacks run in hard interrupt context' } },
  tasklet_struct: {
    func: { context: 'tasklet', why: 'tasklets run in softirq context' },
    callback: { context: 'tasklet', why: 'tasklets run in softirq context' },
  },
  urb: { complete: { context: 'urb', why: 'URB completion handlers run in interrupt context' } },
  napi_struct: { poll: { context: 'softirq', why: 'NAPI poll runs in softirq context' } },
  rcu_head: { func: { context: 'rcu', why: 'RCU callbacks run in softirq context' } },
  irqaction: { handler: { context: 'hardirq', why: 'interrupt handlers run in hard interrupt context' } },
  file_operations: Object.fromEntries(
    ['open', 'release', 'read', 'write', 'read_iter', 'write_iter', 'unlocked_ioctl', 'compat_ioctl', 'llseek', 'mmap', 'poll', 'flush', 'fsync']
      .map((m) => [m, { context: 'process', why: 'file operations run in the calling process' } as MemberContext]),
  ),
  proc_ops: Object.fromEntries(
    ['proc_open', 'proc_release', 'proc_read', 'proc_write', 'proc_ioctl', 'proc_lseek']
      .map((m) => [m, { context: 'process', why: 'procfs operations run in the calling process' } as MemberContext]),
  ),
  work_struct: { func: { context: 'process', why: 'work items run in a kernel worker thread' } },
  platform_driver: {
    probe: { context: 'process', why: 'probe runs in process context' },
    remove: { context: 'process', why: 'remove runs in process context' },
  },
  usb_driver: {
    probe: { context: 'process', why: 'probe runs in process context' },
    disconnect: { context: 'process', why: 'disconnect runs in process context' },
  },
  pci_driver: {
    probe: { context: 'process', why: 'probe runs in process context' },
    remove: { context: 'process', why: 'remove runs in process context' },
  },
};

/** The context of a function stored in member `member` of `struct tag`, if the kernel documents one. */
export function memberContext(tag: string | undefined, member: string): MemberContext | undefined {
  if (!tag) return undefined;
  return MEMBERS[tag]?.[member];
}
