// Network devices and socket buffers, as far as a module's ops table needs them: alloc_etherdev()
// builds a `struct net_device` set up as ether_setup() does, free_netdev() frees it, and
// consume_skb() frees a socket buffer. Nothing sends or receives packets: the emulated machine has
// no network, so the kernel never calls ndo_start_xmit or ndo_set_rx_mode.
//
// Invariant: the offsets below are those of the structs in include/drivers.ts (`linux/netdevice.h`,
// `linux/skbuff.h`); test/unit/kernel/net.test.ts compiles a module that prints them and compares.

import type { KernelExport } from './types';
import { add64, ubig } from '../../vm/value';
import type { I64 } from '../../vm/value';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import { encodeLatin1 } from '../vfs';

/** Field offsets of `struct net_device` in the virtual <linux/netdevice.h>. */
export const NET_DEVICE_LAYOUT = {
  size: 456,
  name: 0,
  devList: 24,
  flags: 40,
  mtu: 72,
  minMtu: 76,
  maxMtu: 80,
  type: 84,
  hardHeaderLen: 86,
  addrLen: 88,
  uc: 128,
  mc: 152,
  txQueueLen: 240,
  broadcast: 244,
  devAddr: 280,
  devAddrBytes: 288,
} as const;

/** Field offsets of `struct sk_buff` in the virtual <linux/skbuff.h>. */
export const SK_BUFF_LAYOUT = { size: 64, head: 40 } as const;

/** NETDEV_ALIGN: the private area starts at this alignment after the net_device. */
const NETDEV_ALIGN = 32;
const GFP_KERNEL_ACCOUNT_RETRY_MAYFAIL_ZERO = 0xcc0 | 0x400000 | 0x400 | 0x100;
const ARPHRD_ETHER = 1;
const ETH_HLEN = 14;
const ETH_MIN_MTU = 68;
const ETH_DATA_LEN = 1500;
const ETH_ALEN = 6;
const IFF_BROADCAST = 0x2;
const IFF_MULTICAST = 0x1000;
const DEFAULT_TX_QUEUE_LEN = 1000;

/** INIT_LIST_HEAD() on a list_head at `at`. */
function initListHead(k: Kernel, at: I64): void {
  k.mem.st64(at, at);
  k.mem.st64(add64(at, 8), at);
}

/** alloc_netdev_mqs(sizeof_priv, "eth%d", NET_NAME_ENUM, ether_setup, ...): a zeroed device set up for Ethernet. */
function allocEtherdev(k: Kernel, sizeofPriv: number, site: CallSite): I64 {
  const L = NET_DEVICE_LAYOUT;
  const priv = Math.max(0, sizeofPriv);
  const bytes = (priv ? Math.ceil(L.size / NETDEV_ALIGN) * NETDEV_ALIGN + priv : L.size) + NETDEV_ALIGN - 1;
  k.mightSleep(site, 'include/linux/sched/mm.h:274', 'alloc_etherdev_mqs');
  const dev = k.k.mm.kvmalloc(bytes, GFP_KERNEL_ACCOUNT_RETRY_MAYFAIL_ZERO, site);
  if (dev === 0) return 0;
  const at = (off: number): I64 => add64(dev, off);
  k.mem.writeBytes(dev, encodeLatin1('eth%d\0'));
  initListHead(k, at(L.devList));
  initListHead(k, at(L.uc));
  initListHead(k, at(L.mc));
  // ether_setup().
  k.mem.st16(at(L.type), ARPHRD_ETHER);
  k.mem.st16(at(L.hardHeaderLen), ETH_HLEN);
  k.mem.st32(at(L.mtu), ETH_DATA_LEN);
  k.mem.st32(at(L.minMtu), ETH_MIN_MTU);
  k.mem.st32(at(L.maxMtu), ETH_DATA_LEN);
  k.mem.st8(at(L.addrLen), ETH_ALEN);
  k.mem.st32(at(L.txQueueLen), DEFAULT_TX_QUEUE_LEN);
  k.mem.st32(at(L.flags), IFF_BROADCAST | IFF_MULTICAST);
  k.mem.writeBytes(at(L.broadcast), new Uint8Array(ETH_ALEN).fill(0xff));
  k.mem.st64(at(L.devAddr), at(L.devAddrBytes));
  return dev;
}

export const NET_EXPORTS: KernelExport[] = [
  {
    name: 'alloc_etherdev_mqs', header: 'linux/etherdevice.h', proto: 'struct net_device *alloc_etherdev_mqs(int sizeof_priv, unsigned int txqs, unsigned int rxqs)',
    doc: 'alloc_etherdev(): allocate an Ethernet device with a private area (netdev_priv()); NULL on failure. Free with free_netdev().',
    sleeps: 'always', nullable: true,
    impl: (k, a, site) => allocEtherdev(k, Number(a[0]) | 0, site),
  },
  {
    name: 'free_netdev', header: 'linux/netdevice.h', proto: 'void free_netdev(struct net_device *dev)', doc: 'Free a device from alloc_etherdev(), after unregister_netdev() if it was registered.',
    impl: (k, a, site) => {
      if (a[0] === 0) return undefined;
      if (k.k.mm.isVmalloc(a[0])) k.k.mm.vfree(a[0], site);
      else k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'consume_skb', header: 'linux/skbuff.h', proto: 'void consume_skb(struct sk_buff *skb)', doc: 'Free a socket buffer that was used successfully (dev_kfree_skb()); NULL is allowed.',
    impl: (k, a, site) => {
      if (ubig(a[0]) === 0n) return undefined;
      k.k.mm.kfree(k.mem.ld64(add64(a[0], SK_BUFF_LAYOUT.head)), site);
      k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
];
