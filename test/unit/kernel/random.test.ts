// get_random_*() draw from a stream seeded by the kernel's seed: the same seed gives the same
// numbers, another seed other numbers, and the draws never move later allocations' addresses.

import { strict as assert } from 'node:assert';
import { runModule } from '../../../src/core/index';

const MODULE = `#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
static int __init r_init(void)
{
	u8 b[6];
	void *p;

	if (DRAW) {
		get_random_bytes(b, sizeof(b));
		pr_info("%08x %016llx %6phC\\n", get_random_u32(), get_random_u64(), b);
	}
	p = kmalloc(32, GFP_KERNEL);
	pr_info("p=%px\\n", p);
	kfree(p);
	return 0;
}
module_init(r_init);
MODULE_LICENSE("GPL");
`;

function lines(seed: number, draw: boolean): string[] {
  const r = runModule({ fileName: 'r.c', text: MODULE.replace('DRAW', draw ? '1' : '0'), seed, unload: true });
  assert.deepEqual(r.buildErrors.map((d) => d.message), []);
  return r.booted!.log('dmesg').map((l) => l.replace(/^\[[ \d.]+\] /, '')).filter((l) => /^[0-9a-f]{8} |^p=/.test(l));
}

describe('get_random_*()', () => {
  it('is deterministic for a seed', () => assert.deepEqual(lines(1, true), lines(1, true)));
  it('changes with the seed', () => assert.notEqual(lines(1, true)[0], lines(2, true)[0]));
  it('does not move allocations', () => assert.equal(lines(3, true)[1], lines(3, false)[0]));
});
