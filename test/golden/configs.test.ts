// The same buggy modules under each kernel configuration: the bug shows as it does on such a
// kernel. On `default` (Debian's stock kernel) a use after free reads a hardened freelist pointer
// and stays silent; under `slub_debug` it reads the 0x6b poison; under `kasan` (and `full`) it is
// a KASAN report. Golden files are configs/NAME.CONFIG.dmesg (UPDATE_GOLDEN=1 rewrites them); the
// table below states the contrast itself, so a golden rewrite cannot silently lose it.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_CONFIGS } from '../../src/core/index';
import type { KernelConfigName } from '../../src/core/index';
import { transcript } from './transcript';

const FIXTURES = path.join(__dirname, 'fixtures');
const GOLDEN = path.join(__dirname, 'configs');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CONFIGS = Object.keys(KERNEL_CONFIGS) as KernelConfigName[];

/** What each configuration must show (a pattern) or must not show (`!` + pattern) for each module. */
const CONTRAST: Record<string, Record<KernelConfigName, string>> = {
  use_after_free: {
    default: '!BUG:',
    slub_debug: 'freed node weight 1802201963', // 0x6b6b6b6b: the poison of a freed object
    kasan: 'BUG: KASAN: use-after-free in cleanup_module',
    kmemleak: '!BUG:',
    full: 'BUG: KASAN: use-after-free in cleanup_module',
  },
  slab_oob: {
    default: '!BUG:',
    slub_debug: '!BUG', // p[56] is in kmalloc-64's slack, which 6.1's red zone does not cover
    kasan: 'BUG: KASAN: slab-out-of-bounds in init_module',
    kmemleak: '!BUG:',
    full: 'BUG: KASAN: slab-out-of-bounds in init_module',
  },
  double_free: {
    default: 'kernel BUG at mm/slub.c:419!', // CONFIG_SLAB_FREELIST_HARDENED's naive double-free check
    slub_debug: 'BUG kmalloc-64 \\(Tainted: G {11}OE {5}\\): Object already free',
    kasan: 'BUG: KASAN: double-free in __kmem_cache_free',
    kmemleak: 'kernel BUG at mm/slub.c:419!',
    full: 'BUG: KASAN: double-free in __kmem_cache_free',
  },
  leak_rmmod: {
    default: '!kmemleak',
    slub_debug: '!kmemleak',
    kasan: '!kmemleak',
    kmemleak: 'kmemleak: unreferenced object 0x[0-9a-f]+ \\(size 56\\):',
    full: 'kmemleak: unreferenced object 0x[0-9a-f]+ \\(size 56\\):',
  },
};

describe('the same bug under each kernel configuration', () => {
  for (const [name, expected] of Object.entries(CONTRAST)) {
    for (const config of CONFIGS) {
      it(`${name}.c under ${config}`, function () {
        this.timeout(20000);
        const got = transcript(path.join(FIXTURES, `${name}.c`), { config });
        const want = expected[config];
        if (want.startsWith('!')) assert.doesNotMatch(got, new RegExp(want.slice(1)), `${config} must stay silent`);
        else assert.match(got, new RegExp(want));
        const golden = path.join(GOLDEN, `${name}.${config}.dmesg`);
        if (UPDATE) fs.writeFileSync(golden, got);
        else if (!fs.existsSync(golden)) assert.fail(`missing golden file ${path.basename(golden)} (run with UPDATE_GOLDEN=1 to create it)`);
        else assert.equal(got, fs.readFileSync(golden, 'latin1'));
      });
    }
  }
});
