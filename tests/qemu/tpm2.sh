# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# TPM2 for the QEMU tests (TEST-8*-TPM2-*), sourced after lib.sh: a swtpm
# state whose TPM the slots files are sealed to, the images that carry
# them, and a fresh swtpm for each boot on a copy of that state.
#
# Sealing runs on the host, against swtpm over a TCTI. QEMU's SeaBIOS
# extends PCR 7 with one EV_SEPARATOR event, of the four bytes ff ff ff ff
# (read off a boot: PCR 7 = E21B703E...), and nothing else does before the
# initramfs: the host replays that event before sealing, so that PCR 7
# holds at boot what it held at enrollment, as on a device enrolled in the
# field.

FSP_TPM2_SEPARATOR=$(printf '\377\377\377\377' | sha256sum | cut -c1-64)
# The PIN of root's tpm2+pin slot (TEST-82): a test fixture.
FSP_TPM2_PIN=731905

# test_check of the TPM2 tests: lib.sh's tools and the TPM's.
fsp_tpm2_require_tools() {
    fsp_require_tools || return 1
    local t
    for t in swtpm tpm2_pcrextend systemd-creds /usr/lib/systemd/systemd-measure python3 openssl; do
        command -v "$t" > /dev/null || { echo "$t is missing (tools/packages)" && return 1; }
    done
}

# test_setup of the TPM2 tests: the sealed assets and the shell and
# systemd initramfs images of TABLE, in INITRD_SHELL and INITRD_SYSTEMD.
# shellcheck disable=SC2034 # INITRD_*: read by the tests
fsp_tpm2_setup() {
    fsp_assets && fsp_tpm2_assets &&
        fsp_tpm2_initrd shell "$1" && INITRD_SHELL=$FSP_INITRD &&
        fsp_tpm2_initrd systemd "$1" && INITRD_SYSTEMD=$FSP_INITRD
}

# shellcheck source=../swtpm.sh
. "$(dirname "${BASH_SOURCE[0]}")/../swtpm.sh"

# fsp_tpm2_host_start DIR: swtpm on DIR/state for the host, TCTI in
# FSP_TPM2_TCTI. No resource manager: flush after each systemd-creds call.
fsp_tpm2_host_start() {
    mkdir -p "$1/state" || return 1
    if ! swtpm_tcp_start "$1/state" "$1/swtpm-host.log"; then
        err "swtpm did not start for sealing (log: $1/swtpm-host.log)"
        return 1
    fi
    FSP_TPM2_HOST_PID=$SWTPM_PID
    FSP_TPM2_TCTI=swtpm:host=127.0.0.1,port=$SWTPM_PORT
    export TPM2TOOLS_TCTI=$FSP_TPM2_TCTI TSS2_LOG=all+none
    for _ in $(seq 50); do
        tpm2_getcap properties-fixed > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    err "swtpm does not answer on port $SWTPM_PORT"
    return 1
}

fsp_tpm2_flush() {
    tpm2_flushcontext -t > /dev/null 2>&1
    tpm2_flushcontext -l > /dev/null 2>&1
    tpm2_flushcontext -s > /dev/null 2>&1
    return 0
}

# An orderly end, so that the TPM's dictionary-attack counter stays at 0.
fsp_tpm2_host_stop() {
    tpm2_shutdown -c > /dev/null 2>&1
    kill "$FSP_TPM2_HOST_PID" 2> /dev/null
    wait "$FSP_TPM2_HOST_PID" 2> /dev/null
}

# fsp_tpm2_enroll SLOTS KEY PASS [enroll --tpm2 options]: a passphrase slot
# (the fallback) and a tpm2 slot, sealed now.
fsp_tpm2_enroll() {
    local slots=$1 key=$2 pass=$3
    shift 3
    "$FSP_BIN" enroll --slots "$slots" --passphrase --key-file "$key" --quiet \
        --new-passphrase-fd 3 --pbkdf-memory 32768 --pbkdf-iterations 1 3<<< "$pass" &&
        "$FSP_BIN" enroll --slots "$slots" --tpm2 --tpm2-device "$FSP_TPM2_TCTI" --quiet \
            --unlock-passphrase-fd 3 "$@" 3<<< "$pass" 2> /dev/null &&
        fsp_tpm2_flush
}

# The steps of fsp_tpm2_assets (run by fsp_strict): OUT's final path A,
# work directory TMP.
fsp_tpm2_build_steps() {
    local a=$1 tmp=$2 k=$FSP_ASSETS/keys data_id x
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/expected.env"
    # shellcheck disable=SC2153 # DATA_ID: from expected.env
    data_id=$DATA_ID
    mkdir -m 0700 "$tmp/keys"
    fsp_tpm2_host_start "$tmp"
    trap fsp_tpm2_host_stop EXIT
    tpm2_pcrextend "7:sha256=$FSP_TPM2_SEPARATOR" > /dev/null
    fsp_tpm2_enroll "$tmp/keys/root-tpm.slots" "$k/root.key" fsp-root-pass
    fsp_tpm2_enroll "$tmp/keys/data-tpm.slots" "$k/data.key" fsp-data-pass
    fsp_tpm2_enroll "$tmp/keys/root-pin.slots" "$k/root.key" fsp-root-pass \
        --tpm2-pin --new-passphrase-fd 4 4<<< "$FSP_TPM2_PIN"
    # Signed PCR 11 policies: a signing key, two images and their
    # signatures, made by systemd-measure as for a UKI.
    openssl genrsa -out "$tmp/keys/pcr.key" 2048 2> /dev/null
    openssl rsa -in "$tmp/keys/pcr.key" -pubout -out "$tmp/pcr.pub" 2> /dev/null
    fsp_tpm2_enroll "$tmp/keys/root-signed.slots" "$k/root.key" fsp-root-pass \
        --tpm2-public-key "$tmp/pcr.pub"
    mkdir "$tmp/images"
    for x in a b; do
        printf 'image %s: fscrypt-provision test system\n' "$x" > "$tmp/images/image-$x"
        /usr/lib/systemd/systemd-measure sign --tpm2-device="$FSP_TPM2_TCTI" \
            --linux="$tmp/images/image-$x" --bank=sha256 --phase=enter-initrd \
            --private-key="$tmp/keys/pcr.key" --public-key="$tmp/pcr.pub" \
            --json=short > "$tmp/images/image-$x.json"
        fsp_tpm2_flush
    done
    # A copy of root's slots file, not embedded as a key file: what an
    # attacker finds on /boot or the root (TEST-84).
    cp "$tmp/keys/root-tpm.slots" "$tmp/images/attack.slots"
    fsp_tpm2_host_stop
    trap - EXIT
    cat > "$tmp/tpm2-fscrypttab" <<- EOF
		# TEST-80: both volumes sealed to PCR 7, a passphrase as fallback.
		root / slots:$a/keys/root-tpm.slots secret initramfs
		data /data slots:$a/keys/data-tpm.slots vault initramfs,nofail,identifier=$data_id
		EOF
    cat > "$tmp/signed-fscrypttab" <<- EOF
		# TEST-81: root through a signed PCR 11 policy, data through PCR 7.
		root / slots:$a/keys/root-signed.slots secret initramfs
		data /data slots:$a/keys/data-tpm.slots vault initramfs,nofail,identifier=$data_id
		EOF
    cat > "$tmp/pin-fscrypttab" <<- EOF
		# TEST-82: root through PCR 7 and a PIN, data through PCR 7 alone.
		root / slots:$a/keys/root-pin.slots secret initramfs
		data /data slots:$a/keys/data-tpm.slots vault initramfs,nofail,identifier=$data_id
		EOF
    cat > "$tmp/nofail-fscrypttab" <<- EOF
		# TEST-83: TEST-80's slots files, both volumes nofail; data keeps
		# the nofail default of password-timeout= (90 s).
		root / slots:$a/keys/root-tpm.slots secret initramfs,nofail,password-timeout=10
		data /data slots:$a/keys/data-tpm.slots vault initramfs,nofail,identifier=$data_id
		EOF
}

# fsp_tpm2_assets's build, into the entry DIR.
fsp_tpm2_build() {
    fsp_build_into "$1" tpm2-tmp fsp_tpm2_build_steps
}

# Builds (or reuses) the sealed slots files and the TPM state they are
# sealed to; sets FSP_TPM2.
fsp_tpm2_assets() {
    local h
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_BIN" "${FSP_BIN%/*}/fscrypt-provision-tpm2" \
        "$FSP_ASSETS/keys" "$FSP_TPM2_SEPARATOR" "$FSP_TPM2_PIN" \
        "$(declare -f fsp_build_into fsp_tpm2_build fsp_tpm2_build_steps fsp_tpm2_enroll fsp_tpm2_host_start swtpm_tcp_start)")
    FSP_TPM2=$FSP_QEMU_CACHE/tpm2-$h
    fsp_cache_build "$FSP_TPM2" 'tpm2-[0-9a-f]*' "sealing the tpm2 test slots in $FSP_TPM2" \
        fsp_tpm2_build "$FSP_TPM2"
}

# fsp_tpm2_initrd MODE TABLE: the initramfs of MODE from TABLE (in
# FSP_TPM2), with the test's measurements and both images' identities and
# PCR signatures (the command line picks: fsp-test-measure.sh); sets
# FSP_INITRD.
fsp_tpm2_initrd() {
    local mode=$1 table=$FSP_TPM2/$2 h kind=tpm2-$1-${2%-fscrypttab}${FSP_DIST_SUFFIX-}
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$mode" "$FSP_KVER" "$FSP_DIST_ID" "$(fsp_in_dist dracut --version 2>&1)" "$FSP_BIN" \
        "${FSP_BIN%/*}/fscrypt-provision-tpm2" \
        "$table" "$FSP_ASSETS/initrd-extra" "$FSP_TPM2/keys" "$FSP_TPM2/images" \
        "$FSP_REPO/dracut-module/50fscrypt-provision" "${FSP_BIN%/*}/fscrypt-provision-lib.sh" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test" \
        "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$(fsp_dracut_modules "$mode")" "$FSP_DRACUT_DRIVERS" \
        "$(declare -f fsp_tpm2_initrd fsp_run_dracut fsp_dracut fsp_dracut_base)")
    FSP_INITRD=$FSP_QEMU_CACHE/initrd-$kind-$h.img
    FSP_TEST_TPM2=1 fsp_cache_build "$FSP_INITRD" "initrd-$kind-[0-9a-f]*.img" "building the $mode initramfs for $2" \
        fsp_run_dracut "$FSP_INITRD" "$table" "$(fsp_dracut_modules "$mode")" \
        --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test \
        --include "$FSP_TPM2/images" /etc/fsp-test/tpm2
}

# fsp_tpm2_boot MODE CMDLINE...: boots like fsp_boot with a TPM: a fresh
# swtpm on a copy of the sealed state (FSP_TPM2_STATE, default the assets';
# so that no boot sees another's lockout counter or sessions), kept in the
# run directory for the scan. FSP_BOOT_DISKS (an array of QEMU options)
# adds disks after root and data. With FSP_TPM2_STOP_AT, swtpm is stopped
# once the console shows that text: the guest goes on with no TPM.
fsp_tpm2_boot() {
    local mode=$1 tpm r watcher='' con
    shift
    tpm=$(mktemp -d "$FSP_QEMU_CACHE/swtpm.XXXXXX")
    cp -r "${FSP_TPM2_STATE:-$FSP_TPM2/state}" "$tpm/state"
    swtpm socket --tpm2 --tpmstate dir="$tpm/state" --terminate \
        --ctrl type=unixio,path="$tpm/sock" > "$tpm/swtpm.log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do
        [[ -S $tpm/sock ]] && break
        sleep 0.1
    done
    if [[ ${FSP_TPM2_STOP_AT-} ]]; then
        con=$(fsp_run_dir "$TEST_NAME")/console.log
        rm -f "$con"
        (
            until grep -q -a -F -- "$FSP_TPM2_STOP_AT" "$con" 2> /dev/null; do sleep 0.2; done
            kill "$pid"
            echo "# swtpm stopped when the console said $FSP_TPM2_STOP_AT"
        ) &
        watcher=$!
    fi
    fsp_qemu "$TEST_NAME" "fsp.mode=$mode $*" \
        -drive "file=$FSP_ASSETS/root.img,format=raw,if=none,id=root,snapshot=on" \
        -device virtio-blk-pci,drive=root,serial=fsproot \
        -drive "file=$FSP_ASSETS/data.img,format=raw,if=none,id=data,snapshot=on" \
        -device virtio-blk-pci,drive=data,serial=fspdata \
        ${FSP_BOOT_DISKS[@]+"${FSP_BOOT_DISKS[@]}"} \
        -chardev "socket,id=chrtpm,path=$tpm/sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
        -device tpm-tis,tpmdev=tpm0
    r=$?
    [[ $watcher ]] && kill "$watcher" 2> /dev/null
    kill "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    rm -rf "$FSP_RUN/swtpm"
    mv "$tpm" "$FSP_RUN/swtpm"
    msg "boot took $FSP_BOOT_SECONDS s, QEMU exit code $FSP_QEMU_RC"
    grep -a -o 'slot [0-9]* (tpm2[+pin]*): [^;]*' "$FSP_RUN/console.log" | sed 's/^/#   at boot: /'
    return $r
}

# fsp_tpm2_scan: no raw key in the last boot's swtpm state, in the sealed
# assets, or in the images given.
fsp_tpm2_scan() {
    local pat r=0
    pat=$(mktemp "$FSP_QEMU_CACHE/canary.XXXXXX")
    fsp_canary_patterns "$FSP_ASSETS/keys/root.key" "$FSP_ASSETS/keys/data.key" > "$pat"
    fsp_no_raw_key "$pat" "$FSP_RUN/swtpm" "$FSP_TPM2/state" "$FSP_TPM2"/*fscrypttab "$FSP_TPM2/keys"/*.slots "$@" || r=1
    rm -f "$pat"
    ((r == 0)) && msg "canary scan: no raw key in the swtpm state (sealed and after boot), the slots files or the images"
    return $r
}
