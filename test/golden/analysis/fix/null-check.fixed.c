// The NULL-check fix: return -ENOMEM after a plain allocation; jump to the existing error label
// (with the return code set) in a function that unwinds with goto.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

struct pair {
	char *a;
	char *b;
};

static struct pair pr;

static int make_a(void)
{
	pr.a = kmalloc(16, GFP_KERNEL);
	if (!pr.a)
		return -ENOMEM;
	strcpy(pr.a, "a");
	return 0;
}

static int make_b(void)
{
	int ret;

	pr.b = kzalloc(16, GFP_KERNEL);
	if (!pr.b) {
		ret = -ENOMEM;
		goto err;
	}
	pr.b[0] = 'b';
	ret = 0;
	if (pr.b[1])
		goto err;
	return ret;
err:
	kfree(pr.b);
	return ret;
}

static int __init fx_init(void)
{
	int ret = make_a();

	return ret ? ret : make_b();
}

static void __exit fx_exit(void)
{
	kfree(pr.a);
	kfree(pr.b);
}

module_init(fx_init);
module_exit(fx_exit);
MODULE_LICENSE("GPL");
