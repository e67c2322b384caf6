// A 3 KiB scratch buffer on the kernel stack.
#include <linux/module.h>
#include <linux/string.h>

static int checksum;

static int __init sf_init(void)
{
	unsigned char scratch[3072];
	int i;

	memset(scratch, 0x5a, sizeof(scratch));
	for (i = 0; i < sizeof(scratch); i++)
		checksum += scratch[i];
	return 0;
}

static void __exit sf_exit(void)
{
}

module_init(sf_init);
module_exit(sf_exit);
MODULE_LICENSE("GPL");
