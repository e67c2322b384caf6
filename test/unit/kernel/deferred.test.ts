// The deferred-execution engine and the resumable form of blocking functions: one small module per
// case, loaded on a fresh kernel, followed by `sleep` (virtual time) and rmmod, as the shell does.
// Each case names the lines the log must contain, in order (timestamps stripped), and the lines it
// must not. The fixtures in test/fixtures cover the guide's examples; these cover the edges.

import { strict as assert } from 'node:assert';
import { bootKernel, frontEnd, insmod, kernelHeaders, rmmod } from '../../../src/core/index';
import type { KernelConfigName } from '../../../src/core/index';
import { deferredIfAny } from '../../../src/core/kernel/deferred';

interface Case {
  readonly name: string;
  /** The module's body after the common includes. */
  readonly module: string;
  readonly config?: KernelConfigName;
  /** Virtual seconds between insmod and rmmod (default 2). */
  readonly sleep?: number;
  readonly expect: readonly (string | RegExp)[];
  readonly never?: readonly (string | RegExp)[];
  readonly insmodStatus?: number;
}

const INCLUDES = ['completion', 'delay', 'err', 'interrupt', 'jiffies', 'ktime', 'kthread', 'module', 'mutex', 'refcount', 'sched', 'spinlock', 'timer', 'wait']
  .map((h) => `#include <linux/${h}.h>`)
  .join('\n');

function run(c: Case): { log: string[]; insmod: number } {
  const text = `${INCLUDES}\nMODULE_LICENSE("GPL");\n${c.module}`;
  const fe = frontEnd({ fileName: 't.c', text }, kernelHeaders());
  assert.deepEqual(fe.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], 'builds');
  const b = bootKernel({ config: c.config ?? 'full' });
  const ins = insmod(b.kernel, fe, '');
  if (ins.status === 0) {
    b.kernel.slept((c.sleep ?? 2) * 1e9);
    rmmod(b.kernel, fe.moduleName);
  }
  const log = b.log('dmesg').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
  assert.deepEqual(b.kernel.findings.filter((f) => f.rule === 'internal-error').map((f) => f.message), []);
  return { log, insmod: ins.status };
}

const matches = (line: string, want: string | RegExp): boolean => (typeof want === 'string' ? line === want : want.test(line));

const CASES: Case[] = [
  {
    name: 'kthread_stop() on a thread that was never woken returns -EINTR; its function never runs',
    module: `static int fn(void *d) { pr_info("t: ran\\n"); return 5; }
static struct task_struct *t;
static int __init i(void) { t = kthread_create(fn, NULL, "never"); return IS_ERR(t) ? PTR_ERR(t) : 0; }
static void __exit e(void) { pr_info("t: stop=%d\\n", kthread_stop(t)); }
module_init(i); module_exit(e);`,
    expect: ['t: stop=-4'],
    never: ['t: ran'],
  },
  {
    name: 'a blocking call inside an expression is resumed with its value (wait_for_completion_timeout)',
    module: `static DECLARE_COMPLETION(c);
static int fn(void *d)
{
	unsigned long left = wait_for_completion_timeout(&c, HZ / 10);

	pr_info("t: first wait %s\\n", left ? "completed" : "timed out");
	if (wait_for_completion_timeout(&c, 10 * HZ) > 0)
		pr_info("t: second wait completed\\n");
	while (!kthread_should_stop())
		msleep(10);
	return 0;
}
static void done_fn(struct timer_list *tl) { complete(&c); }
static DEFINE_TIMER(tm, done_fn);
static struct task_struct *t;
static int __init i(void) { t = kthread_run(fn, NULL, "waiter"); mod_timer(&tm, jiffies + HZ / 2); return 0; }
static void __exit e(void) { kthread_stop(t); }
module_init(i); module_exit(e);`,
    expect: ['t: first wait timed out', 't: second wait completed'],
  },
  {
    name: 'jiffies advance HZ times a second; msleep(1000) takes msecs_to_jiffies(1000) + 1 ticks',
    module: `static int __init i(void)
{
	unsigned long j0 = jiffies;
	u64 t0 = ktime_get_ns();

	msleep(1000);
	pr_info("t: HZ=%d slept %lu jiffies, at least 1 s: %d\\n", HZ, jiffies - j0, ktime_get_ns() - t0 >= 1000000000ULL);
	return 0;
}
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    expect: ['t: HZ=250 slept 251 jiffies, at least 1 s: 1'],
  },
  {
    name: 'a kthread polling with schedule() in TASK_RUNNING lets the others run and stops',
    module: `static int count;
static int fn(void *d) { while (!kthread_should_stop()) { count++; schedule(); } return count > 0; }
static struct task_struct *t;
static int __init i(void) { t = kthread_run(fn, NULL, "poller"); return 0; }
static void __exit e(void) { pr_info("t: stop=%d\\n", kthread_stop(t)); }
module_init(i); module_exit(e);`,
    expect: ['t: stop=1'],
  },
  {
    name: 'a kthread that blocks where its resumable form cannot yield (in a switch) stops at its first block',
    module: `static int fn(void *d)
{
	int n = 0;

	while (!kthread_should_stop()) {
		switch (n++) {
		default:
			msleep(100);
		}
	}
	pr_info("t: ran %d time(s)\\n", n);
	return 0;
}
static struct task_struct *t;
static int __init i(void) { t = kthread_run(fn, NULL, "switcher"); return 0; }
static void __exit e(void) { kthread_stop(t); }
module_init(i); module_exit(e);`,
    expect: ['t: ran 1 time(s)'],
  },
  {
    name: 'wait_event_interruptible_timeout() returns 0 when the time runs out',
    module: `static DECLARE_WAIT_QUEUE_HEAD(wq);
static int flag;
static int __init i(void)
{
	long r = wait_event_interruptible_timeout(wq, flag != 0, HZ / 4);

	pr_info("t: r=%ld\\n", r);
	return 0;
}
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    expect: ['t: r=0'],
  },
  {
    name: 'taking a mutex the task holds hangs it: the hung-task report after 120 s (stock kernel)',
    config: 'default',
    module: `static DEFINE_MUTEX(m);
static int __init i(void) { mutex_lock(&m); mutex_lock(&m); pr_info("t: never\\n"); return 0; }
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    insmodStatus: 137,
    expect: ['INFO: task insmod:93 blocked for more than 120 seconds.', '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'],
    never: ['t: never', /possible recursive locking/],
  },
  {
    name: 'lockdep reports a spinlock taken twice (full configuration), then the CPU spins',
    module: `static DEFINE_SPINLOCK(lk);
static int __init i(void) { spin_lock(&lk); spin_lock(&lk); return 0; }
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    insmodStatus: 137,
    expect: [
      '============================================',
      'WARNING: possible recursive locking detected',
      'insmod/93 is trying to acquire lock:',
      /^[0-9a-f]{16} \(lk\)\{\+\.\+\.\}-\{2:2\}, at: i \(t\.c:\d+\) t$/,
      'but task is already holding lock:',
      '  lock(lk);',
      ' *** DEADLOCK ***',
      ' May be due to missing lock nesting notation',
      '1 lock held by insmod/93:',
      'stack backtrace:',
      /^watchdog: BUG: soft lockup - CPU#0 stuck for \d+s! \[insmod:93\]$/,
    ],
  },
  {
    name: 'lockdep stays silent on the stock kernel',
    config: 'default',
    module: `static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static int __init i(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); mutex_lock(&b); mutex_lock(&a); mutex_unlock(&a); mutex_unlock(&b); return 0; }
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    expect: [],
    never: [/locking dependency/],
  },
  {
    name: 'a refcount_t underflow saturates and WARNs once, as lib/refcount.c does',
    module: `static int __init i(void)
{
	refcount_t r = REFCOUNT_INIT(1);

	refcount_dec(&r);
	refcount_dec(&r);
	pr_info("t: r=%d\\n", (int)refcount_read(&r));
	return 0;
}
static void __exit e(void) { }
module_init(i); module_exit(e);`,
    expect: [
      '------------[ cut here ]------------',
      'refcount_t: decrement hit 0; leaking memory.',
      /^WARNING: CPU: 0 PID: 93 at lib\/refcount\.c:31 refcount_warn_saturate\+0x9c\/0x110$/,
      't: r=-1073741824',
    ],
  },
  {
    name: 'a tasklet scheduled from a timer runs in softirq context; tasklet_kill waits for it',
    module: `static void tl_fn(struct tasklet_struct *t) { pr_info("t: tasklet in_softirq=%d\\n", in_softirq() ? 1 : 0); }
static DECLARE_TASKLET(tl, tl_fn);
static void tm_fn(struct timer_list *t) { tasklet_schedule(&tl); }
static DEFINE_TIMER(tm, tm_fn);
static int __init i(void) { mod_timer(&tm, jiffies + 1); return 0; }
static void __exit e(void) { del_timer_sync(&tm); tasklet_kill(&tl); pr_info("t: exit\\n"); }
module_init(i); module_exit(e);`,
    expect: ['t: tasklet in_softirq=1', 't: exit'],
  },
];

describe('deferred execution and blocking kernel threads', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { log, insmod: status } = run(c);
      assert.equal(status, c.insmodStatus ?? 0, 'insmod status');
      let at = 0;
      for (const want of c.expect) {
        const i = log.findIndex((l, n) => n >= at && matches(l, want));
        assert.ok(i >= 0, `expected ${String(want)} after line ${at} in:\n${log.join('\n')}`);
        at = i + 1;
      }
      for (const not of c.never ?? []) assert.ok(!log.some((l) => matches(l, not)), `unexpected ${String(not)} in:\n${log.join('\n')}`);
    });
  }
});

describe('deferred work in the event log and the snapshot', () => {
  it('records each timer, work item and kernel-thread step, and lists what is pending', () => {
    const text = `${INCLUDES}\n#include <linux/workqueue.h>\nMODULE_LICENSE("GPL");
static void w_fn(struct work_struct *w) { }
static DECLARE_WORK(w, w_fn);
static void tm_fn(struct timer_list *t) { schedule_work(&w); }
static DEFINE_TIMER(tm, tm_fn);
static DEFINE_TIMER(later, tm_fn);
static int th_fn(void *d) { msleep(10); return 7; }
static int __init i(void) { kthread_run(th_fn, NULL, "stepper"); mod_timer(&tm, jiffies + 1); mod_timer(&later, jiffies + 100 * HZ); return 0; }
static void __exit e(void) { del_timer_sync(&later); }
module_init(i); module_exit(e);`;
    const fe = frontEnd({ fileName: 't.c', text }, kernelHeaders());
    const b = bootKernel();
    b.kernel.events.record(true);
    assert.equal(insmod(b.kernel, fe, '').status, 0);
    b.kernel.slept(1e9);
    const steps = b.kernel.events.all().flatMap((e) => (e.kind === 'deferred' ? [`${e.what} ${e.fn} ${e.task} ${e.phase}${e.detail ? ` ${e.detail}` : ''}`] : []));
    assert.deepEqual(steps, [
      'kthread th_fn stepper run',
      'kthread th_fn stepper block msleep',
      'timer tm_fn swapper/0 run',
      'work w_fn kworker/0:2 run events',
      'kthread th_fn stepper run',
      'kthread th_fn stepper exit 7',
    ]);
    const snap = deferredIfAny(b.kernel)!.snapshot();
    assert.deepEqual(snap.timers.map((t) => `${t.kind} ${t.fn}`), ['timer tm_fn']);
    assert.deepEqual(snap.threads.map((t) => `${t.comm} ${t.state}`), ['stepper done']);
  });
});
