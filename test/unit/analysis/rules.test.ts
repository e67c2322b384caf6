// One table per rule: minimal snippets (the helpers add the usual headers) and the findings they
// must produce, as `rule line` with lines counted from the snippet's first line. Negatives are
// the tricky clean cases: a lock released before the call, a check through an alias, kvfree().

import { strict as assert } from 'node:assert';
import { findings } from './helpers';

type Case = readonly [name: string, src: string, expected: readonly string[]];

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const [name, src, expected] of cases) {
      it(name, () => assert.deepEqual(findings(src), [...expected]));
    }
  });
}

table('atomic-sleep', [
  ['GFP_KERNEL under spin_lock', `
static DEFINE_SPINLOCK(l);
static void *f(void) {
	void *p;
	spin_lock(&l);
	p = kmalloc(8, GFP_KERNEL);
	spin_unlock(&l);
	return p;
}`, ['atomic-sleep 6']],
  ['GFP_ATOMIC under spin_lock is fine', `
static DEFINE_SPINLOCK(l);
static void *f(void) {
	void *p;
	spin_lock(&l);
	p = kmalloc(8, GFP_ATOMIC);
	spin_unlock(&l);
	return p;
}`, []],
  ['released before the call', `
static DEFINE_SPINLOCK(l);
static int n;
static void *f(void) {
	spin_lock(&l);
	n++;
	spin_unlock(&l);
	return kmalloc(8, GFP_KERNEL);
}`, []],
  ['spin_lock_irqsave and vmalloc', `
static DEFINE_SPINLOCK(l);
static void *f(void) {
	unsigned long flags;
	void *p;
	spin_lock_irqsave(&l, flags);
	p = vmalloc(4096);
	spin_unlock_irqrestore(&l, flags);
	return p;
}`, ['atomic-sleep 7']],
  ['spin_lock_bh and mutex_lock', `
static DEFINE_SPINLOCK(l);
static DEFINE_MUTEX(m);
static void f(void) {
	spin_lock_bh(&l);
	mutex_lock(&m);
	mutex_unlock(&m);
	spin_unlock_bh(&l);
}`, ['atomic-sleep 6']],
  ['read_lock and msleep', `
static DEFINE_RWLOCK(rw);
static void f(void) {
	read_lock(&rw);
	msleep(1);
	read_unlock(&rw);
}`, ['atomic-sleep 5']],
  ['rcu_read_lock and synchronize_rcu', `
static void f(void) {
	rcu_read_lock();
	synchronize_rcu();
	rcu_read_unlock();
}`, ['atomic-sleep 4']],
  ['local_irq_disable and kzalloc', `
static void *f(void) {
	void *p;
	local_irq_disable();
	p = kzalloc(8, GFP_KERNEL);
	local_irq_enable();
	return p;
}`, ['atomic-sleep 5']],
  ['local_bh_disable and schedule', `
static void f(void) {
	local_bh_disable();
	schedule();
	local_bh_enable();
}`, ['atomic-sleep 4']],
  ['mutex held: sleeping is fine', `
static DEFINE_MUTEX(m);
static void *f(void) {
	void *p;
	mutex_lock(&m);
	p = kmalloc(8, GFP_KERNEL);
	msleep(1);
	mutex_unlock(&m);
	return p;
}`, []],
  ['helper that sleeps, called under a lock (call site reported)', `
static DEFINE_SPINLOCK(l);
static void wait_hw(void) { msleep(10); }
static void f(void) {
	spin_lock(&l);
	wait_hw();
	spin_unlock(&l);
}`, ['atomic-sleep 6']],
  ['a helper that sleeps only when its flag says so', `
static DEFINE_SPINLOCK(l);
static void wait_hw(bool can_sleep) {
	if (can_sleep)
		msleep(10);
	else
		mdelay(10);
}
static void f(void) {
	spin_lock(&l);
	wait_hw(false);
	spin_unlock(&l);
	wait_hw(true);
	spin_lock(&l);
	wait_hw(true);
	spin_unlock(&l);
}`, ['atomic-sleep 15']],
  ['two levels of helpers', `
static DEFINE_SPINLOCK(l);
static void *grow(void) { return vzalloc(4096); }
static void *refill(void) { return grow(); }
static void f(void) {
	void *p;
	spin_lock(&l);
	p = refill();
	spin_unlock(&l);
	vfree(p);
}`, ['atomic-sleep 8']],
  ['gfp flags passed down to a helper', `
static DEFINE_SPINLOCK(l);
static void *get(gfp_t gfp) { return kmalloc(64, gfp); }
static void f(void) {
	void *a, *b;
	spin_lock(&l);
	a = get(GFP_ATOMIC);
	b = get(GFP_KERNEL);
	spin_unlock(&l);
	kfree(a);
	kfree(b);
}`, ['atomic-sleep 8']],
  ['gfp flags held in a variable', `
static DEFINE_SPINLOCK(l);
static void *f(void) {
	gfp_t flags = GFP_KERNEL;
	void *p;
	spin_lock(&l);
	p = kmalloc(8, flags);
	spin_unlock(&l);
	return p;
}`, ['atomic-sleep 7']],
  ['lock taken in one branch only, held on that path', `
static DEFINE_SPINLOCK(l);
static void *f(bool locked) {
	void *p;
	if (locked)
		spin_lock(&l);
	p = kmalloc(8, GFP_KERNEL);
	if (locked)
		spin_unlock(&l);
	msleep(1);
	return p;
}`, ['atomic-sleep 7']],
  ['lock and unlock inside one branch', `
static DEFINE_SPINLOCK(l);
static int n;
static void *f(bool fast) {
	if (fast) {
		spin_lock(&l);
		n++;
		spin_unlock(&l);
	}
	return kmalloc(8, GFP_KERNEL);
}`, []],
  ['spin_trylock: only the success path holds the lock', `
static DEFINE_SPINLOCK(l);
static void f(void) {
	if (!spin_trylock(&l)) {
		msleep(1);
		return;
	}
	msleep(2);
	spin_unlock(&l);
}`, ['atomic-sleep 8']],
  ['lock taken by a helper', `
static DEFINE_SPINLOCK(l);
static void lock_it(void) { spin_lock(&l); }
static void unlock_it(void) { spin_unlock(&l); }
static void f(void) {
	lock_it();
	msleep(1);
	unlock_it();
	msleep(2);
}`, ['atomic-sleep 7']],
  ['early return with the lock released', `
static DEFINE_SPINLOCK(l);
static int ready;
static int f(void) {
	spin_lock(&l);
	if (!ready) {
		spin_unlock(&l);
		msleep(5);
		return -EAGAIN;
	}
	spin_unlock(&l);
	return 0;
}`, []],
  ['sleep inside a loop under a lock', `
static DEFINE_SPINLOCK(l);
static int n;
static void f(void) {
	int i;
	spin_lock(&l);
	for (i = 0; i < 3; i++) {
		if (n)
			continue;
		cond_resched();
	}
	spin_unlock(&l);
}`, ['atomic-sleep 10']],
  ['switch with fallthrough keeps the lock', `
static DEFINE_SPINLOCK(l);
static void f(int cmd) {
	spin_lock(&l);
	switch (cmd) {
	case 1:
		spin_unlock(&l);
		return;
	case 2:
	default:
		msleep(1);
		break;
	}
	spin_unlock(&l);
}`, ['atomic-sleep 11']],
  ['goto to an unlock label', `
static DEFINE_SPINLOCK(l);
static int f(int x) {
	int ret = 0;
	spin_lock(&l);
	if (x)
		goto out;
	ret = 1;
out:
	spin_unlock(&l);
	msleep(1);
	return ret;
}`, []],
  ['spinning on spin_trylock until it succeeds', `
static DEFINE_SPINLOCK(l);
static void f(void) {
	while (!spin_trylock(&l))
		cpu_relax();
	msleep(1);
	spin_unlock(&l);
}`, ['atomic-sleep 6']],
  ['gfp chosen by in_interrupt() is not known, so not reported', `
static DEFINE_SPINLOCK(l);
static void *f(void) {
	gfp_t gfp = in_interrupt() ? GFP_ATOMIC : GFP_KERNEL;
	void *p;
	spin_lock(&l);
	p = kmalloc(8, gfp);
	spin_unlock(&l);
	return p;
}`, []],
  ['preempt_disable and usleep_range', `
static void f(void) {
	preempt_disable();
	usleep_range(10, 20);
	preempt_enable();
}`, ['atomic-sleep 4']],
]);

table('null-check', [
  ['unchecked kmalloc dereferenced', `
static int f(void) {
	int *p = kmalloc(sizeof(*p), GFP_KERNEL);
	*p = 1;
	kfree(p);
	return 0;
}`, ['null-check 4']],
  ['checked with !p', `
static int f(void) {
	int *p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	*p = 1;
	kfree(p);
	return 0;
}`, []],
  ['checked with p == NULL and NULL == p', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL), *q = kmalloc(4, GFP_KERNEL);
	if (p == NULL || NULL == q)
		goto err;
	*p = *q = 1;
err:
	kfree(p);
	kfree(q);
	return 0;
}`, []],
  ['checked with unlikely()', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	if (unlikely(!p))
		return -ENOMEM;
	*p = 1;
	kfree(p);
	return 0;
}`, []],
  ['checked with IS_ERR_OR_NULL()', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	if (IS_ERR_OR_NULL(p))
		return -ENOMEM;
	*p = 1;
	kfree(p);
	return 0;
}`, []],
  ['BUG_ON(!p)', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	BUG_ON(!p);
	*p = 1;
	kfree(p);
	return 0;
}`, []],
  ['if (WARN_ON(!p)) return', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	if (WARN_ON(!p))
		return -ENOMEM;
	*p = 1;
	kfree(p);
	return 0;
}`, []],
  ['use inside if (p)', `
static void f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	if (p) {
		*p = 1;
		kfree(p);
	}
}`, []],
  ['checking the wrong variable does not count', `
static int f(void) {
	int *a = kmalloc(4, GFP_KERNEL);
	int *b;
	if (!a)
		return -ENOMEM;
	b = kmalloc(4, GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	*b = 1;
	kfree(a);
	kfree(b);
	return 0;
}`, ['null-check 10']],
  ['use before the check', `
static int f(void) {
	int *p = kmalloc(4, GFP_KERNEL);
	*p = 1;
	if (!p)
		return -ENOMEM;
	kfree(p);
	return 0;
}`, ['null-check 4']],
  ['alias checked instead of the original', `
static int f(void) {
	char *buf = kmalloc(8, GFP_KERNEL);
	char *cur = buf;
	if (!cur)
		return -ENOMEM;
	buf[0] = 1;
	kfree(buf);
	return 0;
}`, []],
  ['passed to memset and INIT_LIST_HEAD', `
struct node { struct list_head l; int v; };
static LIST_HEAD(all);
static void f(void) {
	struct node *n = kmalloc(sizeof(*n), GFP_KERNEL);
	char *s = vmalloc(64);
	memset(s, 0, 64);
	INIT_LIST_HEAD(&n->l);
	list_add(&n->l, &all);
	vfree(s);
}`, ['null-check 7', 'null-check 8']],
  ['list_add_tail of an unchecked node', `
struct node { struct list_head l; int v; };
static LIST_HEAD(all);
static void f(void) {
	struct node *n = kzalloc(sizeof(*n), GFP_KERNEL);
	list_add_tail(&n->l, &all);
}`, ['null-check 6']],
  ['struct field of a parameter', `
struct ring { char *buf; int n; };
static int f(struct ring *r) {
	r->buf = kmalloc(64, GFP_KERNEL);
	r->buf[0] = 0;
	return 0;
}`, ['null-check 5']],
  ['struct field checked through the field', `
struct ring { char *buf; int n; };
static int f(struct ring *r) {
	r->buf = kmalloc(64, GFP_KERNEL);
	if (!r->buf)
		return -ENOMEM;
	r->buf[0] = 0;
	return 0;
}`, []],
  ['global checked in another branch shape', `
static char *g;
static int f(void) {
	g = kstrdup("x", GFP_KERNEL);
	if (g == NULL)
		return -ENOMEM;
	g[0] = 'y';
	return 0;
}`, []],
  ['helper returns an unchecked allocation', `
static char *make(void) { return kmalloc(32, GFP_KERNEL); }
static void f(void) {
	char *p = make();
	strcpy(p, "x");
	kfree(p);
}`, ['null-check 5']],
  ['helper returns NULL on failure', `
struct obj { int a; };
static struct obj *make(void) {
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;
	o->a = 1;
	return o;
}
static void f(void) {
	struct obj *o = make();
	o->a = 2;
	kfree(o);
}`, ['null-check 12']],
  ['helper that dereferences its parameter', `
struct obj { int a; };
static void init_obj(struct obj *o) { o->a = 0; }
static void f(void) {
	struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
	init_obj(o);
	kfree(o);
}`, ['null-check 6']],
  ['helper that checks its parameter first', `
struct obj { int a; };
static void init_obj(struct obj *o) { if (!o) return; o->a = 0; }
static void f(void) {
	struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
	init_obj(o);
	kfree(o);
}`, []],
  ['combined check with goto', `
static u32 *a, *b;
static int f(void) {
	a = kcalloc(4, sizeof(u32), GFP_KERNEL);
	b = kcalloc(4, sizeof(u32), GFP_KERNEL);
	if (!a || !b)
		goto err;
	a[0] = b[0] = 1;
	return 0;
err:
	kfree(a);
	kfree(b);
	return -ENOMEM;
}`, []],
  ['kmem_cache_alloc and __get_free_pages', `
static struct kmem_cache *c;
static void f(void) {
	int *o = kmem_cache_alloc(c, GFP_KERNEL);
	unsigned long page = __get_free_pages(GFP_KERNEL, 0);
	*o = 1;
	memset((void *)page, 0, PAGE_SIZE);
	kmem_cache_free(c, o);
	free_pages(page, 0);
}`, ['null-check 6', 'null-check 7']],
  ['assignment compared with NULL inside the condition', `
static int f(void) {
	char *p;
	if ((p = kzalloc(4, GFP_KERNEL)) == NULL)
		return -ENOMEM;
	p[0] = 0;
	kfree(p);
	return 0;
}`, []],
  ['assignment inside the condition', `
static int f(void) {
	char *p;
	if (!(p = kmalloc(4, GFP_KERNEL)))
		return -ENOMEM;
	p[0] = 0;
	kfree(p);
	return 0;
}`, []],
  ['__GFP_NOFAIL never returns NULL', `
static void f(void) {
	int *p = kmalloc(4, GFP_KERNEL | __GFP_NOFAIL);
	*p = 1;
	kfree(p);
}`, []],
  ['one finding per allocation', `
struct obj { int a, b, c; };
static void f(void) {
	struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
	o->a = 1;
	o->b = 2;
	o->c = 3;
	kfree(o);
}`, ['null-check 5']],
]);

table('free-mismatch', [
  ['kfree of vmalloc memory', `
static void f(void) {
	void *p = vmalloc(4096);
	kfree(p);
}`, ['free-mismatch 4']],
  ['vfree of kmalloc memory', `
static void f(void) {
	void *p = kmalloc(64, GFP_KERNEL);
	vfree(p);
}`, ['free-mismatch 4']],
  ['kvfree accepts both', `
static void f(bool big) {
	void *p = big ? vmalloc(1 << 20) : kmalloc(64, GFP_KERNEL);
	void *q = kvmalloc(100, GFP_KERNEL);
	kvfree(p);
	kvfree(q);
}`, []],
  ['kfree of kvmalloc memory', `
static void f(void) {
	void *q = kvzalloc(100, GFP_KERNEL);
	kfree(q);
}`, ['free-mismatch 4']],
  ['either family on two paths, kfree', `
static void f(bool big) {
	void *p;
	if (big)
		p = vmalloc(1 << 20);
	else
		p = kmalloc(64, GFP_KERNEL);
	kfree(p);
}`, ['free-mismatch 8']],
  ['global allocated in one function, freed in another', `
static int *tbl;
static int start(void) { tbl = vzalloc(4096); return tbl ? 0 : -ENOMEM; }
static void stop(void) { kfree(tbl); }
static int __init i(void) { return start(); }
static void __exit e(void) { stop(); }
module_init(i);
module_exit(e);`, ['free-mismatch 4']],
  ['struct field through a pointer parameter', `
struct ring { u64 *slots; };
static struct ring rx;
static int ring_alloc(struct ring *r) { r->slots = kvcalloc(64, sizeof(u64), GFP_KERNEL); return r->slots ? 0 : -ENOMEM; }
static void ring_free(struct ring *r) { kfree(r->slots); }
static int __init i(void) { return ring_alloc(&rx); }
static void __exit e(void) { ring_free(&rx); }
module_init(i);
module_exit(e);`, ['free-mismatch 5']],
  ['pages kept in an integer, freed with kfree', `
static unsigned long pg;
static int __init i(void) {
	pg = __get_free_pages(GFP_KERNEL, 1);
	return pg ? 0 : -ENOMEM;
}
static void __exit e(void) { kfree((void *)pg); }
module_init(i);
module_exit(e);`, ['free-mismatch 7']],
  ['kmem_cache_free of kmalloc memory', `
static struct kmem_cache *c;
static void f(void) {
	void *p = kmalloc(32, GFP_KERNEL);
	kmem_cache_free(c, p);
}`, ['free-mismatch 5']],
  ['matching pairs are fine', `
static struct kmem_cache *c;
static void f(void) {
	void *a = kmem_cache_alloc(c, GFP_KERNEL);
	void *b = kmemdup("abc", 3, GFP_KERNEL);
	unsigned long pg = __get_free_pages(GFP_KERNEL, 1);
	struct page *sp = alloc_pages(GFP_KERNEL, 0);
	kmem_cache_free(c, a);
	kfree(b);
	free_pages(pg, 1);
	__free_pages(sp, 0);
}`, []],
  ['list members freed with the wrong function', `
struct node { struct list_head l; };
static LIST_HEAD(all);
static int add(void) {
	struct node *n = vzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	list_add(&n->l, &all);
	return 0;
}
static void flush(void) {
	struct node *n, *t;
	list_for_each_entry_safe(n, t, &all, l) {
		list_del(&n->l);
		kfree(n);
	}
}
static int __init i(void) { return add(); }
static void __exit e(void) { flush(); }
module_init(i);
module_exit(e);`, ['free-mismatch 15']],
]);

table('double-free and use-after-free', [
  ['free twice on an error path', `
static void *buf;
static int f(int fail) {
	buf = vmalloc(4096);
	if (!buf)
		return -ENOMEM;
	if (fail) {
		vfree(buf);
		goto err;
	}
	return 0;
err:
	vfree(buf);
	return -EINVAL;
}`, ['double-free 13']],
  ['free, NULL, free again is fine', `
static void f(void) {
	char *p = kmalloc(4, GFP_KERNEL);
	kfree(p);
	p = NULL;
	kfree(p);
}`, []],
  ['freed by a helper, then freed again', `
static void drop(char *p) { kfree(p); }
static void f(void) {
	char *p = kmalloc(4, GFP_KERNEL);
	drop(p);
	kfree(p);
}`, ['double-free 6']],
  ['freed on one branch only', `
static void f(int x) {
	char *p = kmalloc(4, GFP_KERNEL);
	if (x)
		kfree(p);
	if (!x)
		kfree(p);
}`, []],
  ['use after kfree', `
struct obj { int a; };
static int f(void) {
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	int v;
	if (!o)
		return -ENOMEM;
	kfree(o);
	v = o->a;
	return v;
}`, ['use-after-free 9']],
  ['freed, then passed to a helper that dereferences it', `
struct obj { int a; };
static int peek(struct obj *o) { return o->a; }
static int f(void) {
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	kfree(o);
	return peek(o);
}`, ['use-after-free 9']],
  ['list_for_each_entry with kfree of the cursor', `
struct node { struct list_head l; };
static LIST_HEAD(all);
static void flush(void) {
	struct node *n;
	list_for_each_entry(n, &all, l) {
		list_del(&n->l);
		kfree(n);
	}
}`, ['use-after-free 6']],
  ['list_for_each_entry_safe is fine', `
struct node { struct list_head l; };
static LIST_HEAD(all);
static void flush(void) {
	struct node *n, *t;
	list_for_each_entry_safe(n, t, &all, l) {
		list_del(&n->l);
		kfree(n);
	}
}`, []],
]);

table('leak', [
  ['allocated in init, never freed in exit', `
static char *buf;
static int __init i(void) {
	buf = kzalloc(64, GFP_KERNEL);
	return buf ? 0 : -ENOMEM;
}
static void __exit e(void) { }
module_init(i);
module_exit(e);`, ['leak 4']],
  ['freed in exit', `
static char *buf;
static int __init i(void) {
	buf = kzalloc(64, GFP_KERNEL);
	return buf ? 0 : -ENOMEM;
}
static void __exit e(void) { kfree(buf); }
module_init(i);
module_exit(e);`, []],
  ['error path forgets the first allocation', `
static int f(void) {
	char *a = kmalloc(8, GFP_KERNEL);
	char *b;
	if (!a)
		return -ENOMEM;
	b = kmalloc(8, GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	kfree(a);
	kfree(b);
	return 0;
}`, ['leak 3']],
  ['ownership returned to the caller', `
static char *dup(void) {
	char *p = kmalloc(8, GFP_KERNEL);
	if (!p)
		return NULL;
	p[0] = 0;
	return p;
}
static void f(void) { kfree(dup()); }`, []],
  ['p = krealloc(p, ...)', `
static int *v;
static int f(int n) {
	v = krealloc(v, n * sizeof(*v), GFP_KERNEL);
	return v ? 0 : -ENOMEM;
}`, ['leak 4']],
  ['krealloc into a temporary is fine', `
static int *v;
static int f(int n) {
	int *t = krealloc(v, n * sizeof(*v), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	v = t;
	return 0;
}`, []],
  ['list members freed by a helper at exit', `
struct node { struct list_head l; };
static LIST_HEAD(all);
static int add(void) {
	struct node *n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	list_add_tail(&n->l, &all);
	return 0;
}
static void flush(void) {
	struct node *n, *t;
	list_for_each_entry_safe(n, t, &all, l) {
		list_del(&n->l);
		kfree(n);
	}
}
static int __init i(void) { int r = add(); if (r) flush(); return r; }
static void __exit e(void) { flush(); }
module_init(i);
module_exit(e);`, []],
  ['freed by another entry point, not by exit', `
struct file;
static char *state;
static int my_release(struct file *f) { kfree(state); state = NULL; return 0; }
static int __init i(void) {
	state = kzalloc(64, GFP_KERNEL);
	return state ? 0 : -ENOMEM;
}
static void __exit e(void) { }
module_init(i);
module_exit(e);
int (*release_hook)(struct file *) = my_release;`, []],
  ['array of buffers freed in a loop at exit', `
static char *bufs[4];
static int __init i(void) {
	int k;
	for (k = 0; k < 4; k++) {
		bufs[k] = kmalloc(64, GFP_KERNEL);
		if (!bufs[k])
			goto unwind;
		bufs[k][0] = 0;
	}
	return 0;
unwind:
	while (--k >= 0)
		kfree(bufs[k]);
	return -ENOMEM;
}
static void __exit e(void) {
	int k;
	for (k = 0; k < 4; k++)
		kfree(bufs[k]);
}
module_init(i);
module_exit(e);`, []],
  ['pages kept as an integer address', `
static unsigned long page_addr;
static int __init i(void) {
	page_addr = __get_free_pages(GFP_KERNEL, 0);
	return page_addr ? 0 : -ENOMEM;
}
static void __exit e(void) { free_pages(page_addr, 0); }
module_init(i);
module_exit(e);`, []],
  ['a handler that can run again overwrites its global buffer', `
struct file;
static char *label;
static int set_label(struct file *f, const char *s) {
	label = kstrdup(s, GFP_KERNEL);
	return label ? 0 : -ENOMEM;
}
static int set_label_ok(struct file *f, const char *s) {
	char *n = kstrdup(s, GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	kfree(label);
	label = n;
	return 0;
}
int (*hooks[2])(struct file *, const char *) = { set_label, set_label_ok };
static void __exit e(void) { kfree(label); }
module_exit(e);`, ['leak 5']],
  ['a helper run once from init may fill a global', `
static char *label;
static int set_label(const char *s) {
	label = kstrdup(s, GFP_KERNEL);
	return label ? 0 : -ENOMEM;
}
static int __init i(void) { return set_label("x"); }
static void __exit e(void) { kfree(label); }
module_init(i);
module_exit(e);`, []],
  ['freed later by an RCU callback', `
struct obj { int a; struct rcu_head rcu; };
extern void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
static void free_cb(struct rcu_head *h) { kfree(container_of(h, struct obj, rcu)); }
static int f(void) {
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	call_rcu(&o->rcu, free_cb);
	return 0;
}`, []],
  ['handed to the kernel: not ours to leak', `
struct obj { int a; };
extern void register_obj(struct obj *o);
static int f(void) {
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	register_obj(o);
	return 0;
}`, []],
]);

table('stack-frame', [
  ['4 KiB buffer on the stack', `
static int f(void) {
	char buf[4096];
	memset(buf, 0, sizeof(buf));
	return buf[1];
}`, ['stack-frame 3']],
  ['small buffers and a static one', `
static int f(void) {
	static char big[8192];
	char small[256];
	memset(big, 0, sizeof(big));
	memset(small, 0, sizeof(small));
	return small[1] + big[1];
}`, []],
  ['two arrays that add up', `
static int f(void) {
	char a[1200];
	char b[1200];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	return a[1] + b[2];
}`, ['stack-frame 3']],
]);

describe('gfp-atomic-hint', () => {
  it('GFP_ATOMIC in module init with no lock is a hint', () => {
    const src = `
static void *p;
static int __init i(void) {
	p = kmalloc(8, GFP_ATOMIC);
	return p ? 0 : -ENOMEM;
}
static void __exit e(void) { kfree(p); }
module_init(i);
module_exit(e);`;
    assert.deepEqual(findings(src, { hints: true }), ['gfp-atomic-hint 4']);
    assert.deepEqual(findings(src), []);
  });
  it('no hint under a lock or in an interrupt-context helper', () => {
    const src = `
static DEFINE_SPINLOCK(l);
static void *p;
static int __init i(void) {
	spin_lock(&l);
	p = kmalloc(8, GFP_ATOMIC);
	spin_unlock(&l);
	return p ? 0 : -ENOMEM;
}
static void __exit e(void) { kfree(p); }
module_init(i);
module_exit(e);`;
    assert.deepEqual(findings(src, { hints: true }), []);
  });
  it('no hint in a function of unknown context', () => {
    assert.deepEqual(findings(`void *get(void) { return kmalloc(8, GFP_ATOMIC); }`, { hints: true }), []);
  });
});
