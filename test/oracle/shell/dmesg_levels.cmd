echo "### dmesg -r"; dmesg -r; echo "### proc"; cat /proc/sys/kernel/printk
