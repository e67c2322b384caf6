// An error path that forgets the first buffer, and a global never freed at exit.
#include <linux/module.h>
#include <linux/slab.h>

static char *log_buf;

static int make_pair(char **out)
{
	char *a, *b;

	a = kmalloc(32, GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	b = kmalloc(32, GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	kfree(a);
	*out = b;
	return 0;
}

static int __init lk_init(void)
{
	return make_pair(&log_buf);
}

static void __exit lk_exit(void)
{
}

module_init(lk_init);
module_exit(lk_exit);
MODULE_LICENSE("GPL");
