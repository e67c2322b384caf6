// OK: private data through file->private_data, ret/goto error handling
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
struct file { void *private_data; };
struct ctx { char *buf; int len; struct mutex lock; };
static int ctx_open(struct file *f)
{
	struct ctx *c;
	int ret;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		ret = -ENOMEM;
		goto out;
	}
	c->buf = kmalloc(4096, GFP_KERNEL);
	if (!c->buf) {
		ret = -ENOMEM;
		goto free_ctx;
	}
	mutex_init(&c->lock);
	f->private_data = c;
	return 0;
free_ctx:
	kfree(c);
out:
	return ret;
}
static int ctx_release(struct file *f)
{
	struct ctx *c = f->private_data;
	kfree(c->buf);
	kfree(c);
	return 0;
}
int use_them(struct file *f) { int r = ctx_open(f); if (!r) ctx_release(f); return r; }
MODULE_LICENSE("GPL");
