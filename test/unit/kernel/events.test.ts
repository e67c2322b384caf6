// The event log's cap: past it the oldest events are dropped, counted, and the log says so.

import { strict as assert } from 'node:assert';
import { runModule } from '../../../src/core/index';

const PRINTS = `#include <linux/module.h>
MODULE_LICENSE("GPL");
int init_module(void) { int i; for (i = 0; i < 10; i++) printk(KERN_INFO "line %d\\n", i); return 0; }
void cleanup_module(void) { }
`;

describe('event log cap', () => {
  it('keeps the newest events, oldest first, and says how many were dropped', () => {
    const r = runModule({ fileName: 'p.c', text: PRINTS, recordEvents: true, eventLogCap: 4 });
    const events = r.booted!.kernel.events;
    const kept = events.all();
    assert.equal(kept.length, 4);
    assert.ok(kept.every((e, i) => i === 0 || e.seq === kept[i - 1].seq + 1), 'in order');
    assert.equal(kept[kept.length - 1].seq, events.dropped + 4);
    assert.ok(events.dropped > 0);
    assert.equal(events.notice(), `event log full: the ${events.dropped} oldest events were dropped; the newest 4 are kept`);
  });

  it('says nothing when nothing was dropped', () => {
    const r = runModule({ fileName: 'p.c', text: PRINTS, recordEvents: true });
    assert.equal(r.booted!.kernel.events.notice(), undefined);
  });
});
