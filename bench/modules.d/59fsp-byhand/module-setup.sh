#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-boot's baseline: the same job as 50fscrypt-provision's, done
# the cheapest way by hand (add root's raw key with xfs_io before
# switch_root). FSP_BENCH_KEY names the key file to embed. Never in a real
# image: dracut uses it only when asked for by name (-m).
# shellcheck disable=SC2154 # moddir: set by dracut

check() {
    return 255
}

depends() {
    return 0
}

# The kernel modules are 50fscrypt-provision's (installkernel): fscrypt
# needs them whoever adds the key.
installkernel() {
    hostonly='' instmods -c xts ecb cts sha512_generic || return 1
    instmods aesni_intel sha512_ssse3 adiantum ext4 f2fs
    return 0
}

install() {
    inst_multiple xfs_io
    inst_simple "${FSP_BENCH_KEY:?}" /etc/fsp-bench/root.key
    inst_hook pre-pivot 60 "$moddir/fsp-byhand.sh"
}
