echo "### lsmod"; lsmod
echo "### kmod list"; /kmod/kmod list
ln -s /kmod/kmod /tmp/modinfo
echo "### modinfo"; /tmp/modinfo /oracle/hello5.ko
echo "### modinfo busybox"; busybox modinfo /oracle/hello5.ko
echo "### proc/modules"; cat /proc/modules
echo "### meminfo"; cat /proc/meminfo
echo "### slabinfo"; cat /proc/slabinfo
echo "### vmallocinfo"; cat /proc/vmallocinfo
echo "### buddyinfo"; cat /proc/buddyinfo
echo "### free"; free
echo "### ls -l /dev"; ls -l /dev
echo "### ls /proc"; ls /proc
echo "### ls -l /proc"; ls -l /proc | head -100
echo "### ls /sys/module/hello5/parameters"; ls -l /sys/module/hello5/parameters; cat /sys/module/hello5/parameters/myint
echo "### cat nope"; cat /proc/nope; echo "rc=$?"
echo "### insmod twice"; /kmod/insmod /oracle/hello5.ko; echo "rc=$?"
echo "### busybox insmod twice"; busybox insmod /oracle/hello5.ko; echo "rc=$?"
echo "### rmmod nope"; /kmod/rmmod nope; echo "rc=$?"
echo "### busybox rmmod nope"; busybox rmmod nope; echo "rc=$?"
echo "### dmesg level"; dmesg --level=info | head -3; echo "rc=$?"
echo "### dmesg -l"; dmesg -l 6 | head -3; echo "rc=$?"
echo "### head"; head -n 3 /proc/meminfo
echo "### mknod"; mknod /dev/foo c 240 0; ls -l /dev/foo; cat /dev/foo; echo "rc=$?"
echo "### echo"; echo hi > /proc/nope; echo "rc=$?"
echo "### echo ro"; echo hi > /proc/meminfo; echo "rc=$?"
echo "### uname"; uname -a; cat /proc/version
echo "### cmdline"; cat /proc/cmdline; cat /proc/uptime; cat /proc/loadavg
echo "### zoneinfo"; head -30 /proc/zoneinfo
echo "### ls -l sys"; ls -l /sys/kernel | head
