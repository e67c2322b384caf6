// The error branch frees the buffer, then jumps to a label that frees it again.
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>

static char *buf;
static int *idx;

static int __init df_init(void)
{
	buf = vmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	idx = kcalloc(16, sizeof(*idx), GFP_KERNEL);
	if (!idx) {
		vfree(buf);
		goto err;
	}
	return 0;
err:
	vfree(buf);
	return -ENOMEM;
}

static void __exit df_exit(void)
{
	kfree(idx);
	vfree(buf);
}

module_init(df_init);
module_exit(df_exit);
MODULE_LICENSE("GPL");
