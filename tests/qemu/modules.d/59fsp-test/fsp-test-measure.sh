#!/bin/sh
# SPDX-License-Identifier: MIT
# Test only (TEST-8*-TPM2): plays the part of firmware and boot stub before
# fscrypt-provision runs. fsp.tpm2-image=X on the command line: extends
# PCR 11 as systemd-stub does for a UKI whose .linux section is
# /etc/fsp-test/tpm2/image-X, entering the initrd. fsp.tpm2-signature=Y:
# puts image Y's PCR signature where the stub puts a UKI's .pcrsig.
# fsp.tpm2-extend=N: extends PCR N once more, as another boot chain would.
# Logs the PCRs it leaves.
PATH=/usr/bin:/usr/sbin:/bin:/sbin
BB=/usr/lib/fsp-test/busybox
export TPM2TOOLS_TCTI=device:/dev/tpmrm0

digest() { printf '%s' "$1" | $BB sha256sum | $BB cut -c1-64; }

for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -e /dev/tpmrm0 ] && break
    $BB sleep 0.5
done
D=/etc/fsp-test/tpm2
for arg in $($BB cat /proc/cmdline); do
    case $arg in
        fsp.tpm2-image=*)
            img=$D/image-${arg#fsp.tpm2-image=}
            tpm2_pcrextend "11:sha256=$(printf '.linux\000' | $BB sha256sum | $BB cut -c1-64)" &&
                tpm2_pcrextend "11:sha256=$($BB sha256sum < "$img" | $BB cut -c1-64)" &&
                tpm2_pcrextend "11:sha256=$(digest enter-initrd)" &&
                echo "fsp-test: measured image '$($BB head -n 1 "$img")' into PCR 11" > /dev/kmsg
            ;;
        fsp.tpm2-signature=*)
            $BB mkdir -p /.extra &&
                $BB cp "$D/image-${arg#fsp.tpm2-signature=}.json" /.extra/tpm2-pcr-signature.json &&
                echo "fsp-test: image ${arg#fsp.tpm2-signature=}'s PCR signature is in /.extra" > /dev/kmsg
            ;;
        fsp.tpm2-extend=*)
            tpm2_pcrextend "${arg#fsp.tpm2-extend=}:sha256=$(digest 'fsp-test: another boot chain')" &&
                echo "fsp-test: extended PCR ${arg#fsp.tpm2-extend=} (another boot chain)" > /dev/kmsg
            ;;
    esac
done
for p in 7 11; do
    echo "fsp-test: PCR $p sha256 $($BB cat /sys/class/tpm/tpm0/pcr-sha256/$p 2> /dev/null)" > /dev/kmsg
done
exit 0
