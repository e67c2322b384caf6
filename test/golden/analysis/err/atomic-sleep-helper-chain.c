// spin_lock_irqsave + helper that allocates with GFP_KERNEL two levels down
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/list.h>
struct req { struct list_head node; char *data; };
static LIST_HEAD(reqs);
static DEFINE_SPINLOCK(req_lock);
static char *dup_payload(const char *s) { return kstrdup(s, GFP_KERNEL); }
static struct req *req_new(const char *s)
{
	struct req *r = kzalloc(sizeof(*r), GFP_ATOMIC);
	if (!r)
		return NULL;
	r->data = dup_payload(s);
	if (!r->data) {
		kfree(r);
		return NULL;
	}
	return r;
}
static int req_queue(const char *s)
{
	unsigned long flags;
	struct req *r;
	spin_lock_irqsave(&req_lock, flags);
	r = req_new(s);
	if (!r) {
		spin_unlock_irqrestore(&req_lock, flags);
		return -ENOMEM;
	}
	list_add_tail(&r->node, &reqs);
	spin_unlock_irqrestore(&req_lock, flags);
	return 0;
}
static void req_flush(void)
{
	struct req *r, *t;
	unsigned long flags;
	spin_lock_irqsave(&req_lock, flags);
	list_for_each_entry_safe(r, t, &reqs, node) {
		list_del(&r->node);
		kfree(r->data);
		kfree(r);
	}
	spin_unlock_irqrestore(&req_lock, flags);
}
static int __init a_init(void) { return req_queue("hello"); }
static void __exit a_exit(void) { req_flush(); }
module_init(a_init);
module_exit(a_exit);
MODULE_LICENSE("GPL");
