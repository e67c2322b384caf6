// Atomic contexts that come from registrations rather than locks: interrupt handlers, timer and
// tasklet callbacks, ops-struct members the kernel calls with a lock held. The kernel types are
// declared in the snippets themselves, so the tests do not depend on which headers ship.

import { strict as assert } from 'node:assert';
import { diagnosticsOf, findings, lineOf } from './helpers';

const IRQ = `
typedef int irqreturn_t;
#define IRQ_HANDLED 1
extern int request_irq(unsigned int irq, irqreturn_t (*handler)(int, void *), unsigned long flags, const char *name, void *dev);
extern int request_threaded_irq(unsigned int irq, irqreturn_t (*handler)(int, void *), irqreturn_t (*thread_fn)(int, void *), unsigned long flags, const char *name, void *dev);
`;

const TIMER = `
struct timer_list { void (*function)(struct timer_list *); unsigned long expires; };
extern void add_timer(struct timer_list *t);
`;

const NETDEV = `
struct net_device;
struct net_device_ops {
	int (*ndo_open)(struct net_device *dev);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	void (*ndo_tx_timeout)(struct net_device *dev, unsigned int q);
};
`;

describe('atomic contexts from registrations', () => {
  it('a request_irq() handler runs in hard interrupt context', () => {
    const src = `${IRQ}
static int cookie;
static irqreturn_t handler(int irq, void *dev) {
	void *p = kmalloc(16, GFP_KERNEL);
	kfree(p);
	return IRQ_HANDLED;
}
static int __init i(void) { return request_irq(10, handler, 0, "x", &cookie); }
module_init(i);`;
    assert.deepEqual(findings(src), ['atomic-sleep 9']);
    const d = diagnosticsOf(src).find((x) => x.rule === 'atomic-sleep')!;
    assert.match(d.message, /handler\(\) is a hard interrupt handler registered with request_irq\(\) at line/);
    assert.equal(lineOf({ ...d, span: d.related[0].span }), 13);
  });

  it('a helper called from an interrupt handler is reported at the call', () => {
    const src = `${IRQ}
static int cookie;
static void log_it(void) { msleep(1); }
static irqreturn_t handler(int irq, void *dev) {
	log_it();
	return IRQ_HANDLED;
}
static int __init i(void) { return request_irq(10, handler, 0, "x", &cookie); }
module_init(i);`;
    assert.deepEqual(findings(src), ['atomic-sleep 10']);
  });

  it('a threaded handler may sleep', () => {
    const src = `${IRQ}
static int cookie;
static irqreturn_t quick(int irq, void *dev) { return 2; }
static irqreturn_t slow(int irq, void *dev) {
	msleep(5);
	return IRQ_HANDLED;
}
static int __init i(void) { return request_threaded_irq(10, quick, slow, 0, "x", &cookie); }
module_init(i);`;
    assert.deepEqual(findings(src), []);
  });

  it('a timer callback set through .function runs in softirq context', () => {
    const src = `${TIMER}
static struct timer_list t;
static void tick(struct timer_list *tl) {
	mutex_lock(NULL);
}
static int __init i(void) {
	t.function = tick;
	add_timer(&t);
	return 0;
}
module_init(i);`;
    assert.deepEqual(findings(src), ['atomic-sleep 7']);
  });

  it('.ndo_set_rx_mode in a net_device_ops initializer runs with a spinlock held', () => {
    const src = `${NETDEV}
static void set_rx(struct net_device *dev) {
	void *p = kzalloc(32, GFP_KERNEL);
	kfree(p);
}
static int open_it(struct net_device *dev) {
	void *p = kzalloc(32, GFP_KERNEL);
	kfree(p);
	return 0;
}
static const struct net_device_ops ops = {
	.ndo_open = open_it,
	.ndo_set_rx_mode = set_rx,
};`;
    assert.deepEqual(findings(src), ['atomic-sleep 10']);
    const d = diagnosticsOf(src).find((x) => x.rule === 'atomic-sleep')!;
    assert.match(d.message, /set_rx\(\) is the \.ndo_set_rx_mode callback of struct net_device_ops .*netif_addr_lock_bh\(\) held/);
  });

  it('GFP_ATOMIC in an atomic callback is fine and gets no hint', () => {
    const src = `${NETDEV}
static void set_rx(struct net_device *dev) {
	void *p = kzalloc(32, GFP_ATOMIC);
	kfree(p);
}
static const struct net_device_ops ops = { .ndo_set_rx_mode = set_rx };`;
    assert.deepEqual(findings(src, { hints: true }), []);
  });
});
