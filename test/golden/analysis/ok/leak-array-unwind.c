// OK: array of buffers allocated in a loop, unwound on failure, freed at exit
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#define NBUF 4
static char *bufs[NBUF];
static int __init o_init(void)
{
	int i, ret = 0;
	for (i = 0; i < NBUF; i++) {
		bufs[i] = kmalloc(256, GFP_KERNEL);
		if (!bufs[i]) {
			ret = -ENOMEM;
			goto unwind;
		}
		memset(bufs[i], 0, 256);
	}
	return 0;
unwind:
	while (--i >= 0)
		kfree(bufs[i]);
	return ret;
}
static void __exit o_exit(void)
{
	int i;
	for (i = 0; i < NBUF; i++)
		kfree(bufs[i]);
}
module_init(o_init);
module_exit(o_exit);
MODULE_LICENSE("GPL");
