ln -s /kmod/kmod /tmp/modinfo; ln -s /kmod/kmod /tmp/lsmod
echo "### modinfo"; /tmp/modinfo /oracle/lsmod_modinfo.ko
echo "### modinfo -F license"; /tmp/modinfo -F license /oracle/lsmod_modinfo.ko
echo "### modinfo -F parm"; /tmp/modinfo -F parm /oracle/lsmod_modinfo.ko
echo "### modinfo nosuch"; /tmp/modinfo nosuchmodule; echo "rc=$?"
echo "### modinfo none"; /tmp/modinfo; echo "rc=$?"
echo "### insmod none"; /kmod/insmod; echo "rc=$?"
echo "### rmmod none"; /kmod/rmmod; echo "rc=$?"
echo "### insmod nope.ko"; /kmod/insmod nope.ko; echo "rc=$?"
echo "### insmod bad param"; /kmod/rmmod lsmod_modinfo; /kmod/insmod /oracle/lsmod_modinfo.ko debug=x; echo "rc=$?"; dmesg | tail -2
echo "### insmod again"; /kmod/insmod /oracle/lsmod_modinfo.ko debug=1 count=5; echo "rc=$?"
echo "### lsmod"; /tmp/lsmod
echo "### proc modules"; cat /proc/modules
echo "### sys params"; ls -l /sys/module/lsmod_modinfo/parameters/ /sys/module/lsmod_modinfo; cat /sys/module/lsmod_modinfo/parameters/*; cat /sys/module/lsmod_modinfo/version /sys/module/lsmod_modinfo/srcversion /sys/module/lsmod_modinfo/refcnt /sys/module/lsmod_modinfo/initstate /sys/module/lsmod_modinfo/taint
