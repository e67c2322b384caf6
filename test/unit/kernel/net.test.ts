// The network exports write `struct net_device` and read `struct sk_buff` at fixed offsets
// (exports/net.ts); this compiles a module against the virtual headers that prints the real
// offsets and checks both agree, and that alloc_etherdev() sets the device up as ether_setup() does.

import { strict as assert } from 'node:assert';
import { runModule } from '../../../src/core/index';
import { NET_DEVICE_LAYOUT, SK_BUFF_LAYOUT } from '../../../src/core/kernel/exports/net';

const FIELDS: [keyof typeof NET_DEVICE_LAYOUT, string][] = [
  ['name', 'name'], ['devList', 'dev_list'], ['flags', 'flags'], ['mtu', 'mtu'], ['minMtu', 'min_mtu'], ['maxMtu', 'max_mtu'],
  ['type', 'type'], ['hardHeaderLen', 'hard_header_len'], ['addrLen', 'addr_len'], ['uc', 'uc'], ['mc', 'mc'],
  ['txQueueLen', 'tx_queue_len'], ['broadcast', 'broadcast'], ['devAddr', 'dev_addr'], ['devAddrBytes', '__dev_addr'],
];

function run(body: string): string[] {
  const text = `#include <linux/module.h>
#include <linux/etherdevice.h>
static int __init probe_init(void)
{
${body}
	return 0;
}
module_init(probe_init);
MODULE_LICENSE("GPL");
`;
  const r = runModule({ fileName: 'probe.c', text, unload: true });
  assert.deepEqual(r.buildErrors.map((d) => d.message), []);
  return r.booted!.log('dmesg').map((l) => l.replace(/^\[[ \d.]+\] /, ''));
}

describe('network exports', () => {
  it('use the offsets of the virtual headers', () => {
    const lines = run([
      '\tpr_info("net_device %zu\\n", sizeof(struct net_device));',
      ...FIELDS.map(([, c]) => `\tpr_info("${c} %zu\\n", offsetof(struct net_device, ${c}));`),
      '\tpr_info("sk_buff %zu head %zu\\n", sizeof(struct sk_buff), offsetof(struct sk_buff, head));',
    ].join('\n'));
    assert.ok(lines.includes(`net_device ${NET_DEVICE_LAYOUT.size}`));
    for (const [ts, c] of FIELDS) assert.ok(lines.includes(`${c} ${NET_DEVICE_LAYOUT[ts]}`), `${c} at ${NET_DEVICE_LAYOUT[ts]}`);
    assert.ok(lines.includes(`sk_buff ${SK_BUFF_LAYOUT.size} head ${SK_BUFF_LAYOUT.head}`));
  });

  it('alloc_etherdev() gives an ether_setup() device with its private area', () => {
    const lines = run(`	struct net_device *dev = alloc_etherdev(24);
	if (!dev)
		return -ENOMEM;
	pr_info("%s mtu=%u type=%u alen=%u flags=%#x qlen=%u bc=%pM\\n", dev->name, dev->mtu, dev->type, dev->addr_len, dev->flags, dev->tx_queue_len, dev->broadcast);
	pr_info("priv at +%ld, mc empty %d\\n", (long)((char *)netdev_priv(dev) - (char *)dev), netdev_mc_empty(dev) && list_empty(&dev->mc.list));
	eth_hw_addr_random(dev);
	pr_info("random addr valid %d\\n", is_valid_ether_addr(dev->dev_addr));
	free_netdev(dev);`);
    assert.ok(lines.includes('eth%d mtu=1500 type=1 alen=6 flags=0x1002 qlen=1000 bc=ff:ff:ff:ff:ff:ff'), lines.join('\n'));
    assert.ok(lines.includes('priv at +480, mc empty 1'));
    assert.ok(lines.includes('random addr valid 1'));
    assert.ok(!lines.some((l) => l.includes('unreferenced object')), 'no leak');
  });
});
