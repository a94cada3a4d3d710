# SPDX-License-Identifier: GPL-2.0
#
# Kernel build steps shared by build-kernel.sh (the test kernels) and
# kernel-deb.sh (make kernel-deb): an arch's make variables, make in the
# shared source tree, a long make that prints progress, and the kernel's
# own bindeb-pkg.  Source it after lib.sh.  The callers set $tree (the
# source tree), $obj (the object directory) and $klabel (for messages),
# and hold $VPMU_CACHE/kernel-build.lock while they use the tree.

# kbuild_arch ARCH: karch (the kernel's ARCH), debarch (Debian's), kimage
# (the boot image in the object directory) and cross (CROSS_COMPILE:
# empty when ARCH is the host's, else Debian's cross toolchain prefix).
kbuild_arch()
{
	local host
	host=$(uname -m)
	case $1 in
	x86_64)	karch=x86; debarch=amd64; kimage=arch/x86/boot/bzImage
		cross=x86_64-linux-gnu- ;;
	arm64)	karch=arm64; debarch=arm64; kimage=arch/arm64/boot/Image
		cross=aarch64-linux-gnu- ;;
	*)	die "unknown arch '$1' (x86_64 or arm64)" ;;
	esac
	[[ ${host/aarch64/arm64} == "$1" ]] && cross=
	return 0
}

# kernel_only PATCH...: the patches that change the kernel, into
# KPATCHES.  Those touching only tools/testing/ and Documentation/
# (selftests, docs) are left out of kernel builds and their cache keys,
# so editing a selftest rebuilds no kernel.
kernel_only()
{
	local p
	KPATCHES=()
	for p in "$@"; do
		if grep '^diff --git a/' "$p" | awk '{ print $3 }' |
			grep -qvE '^a/(tools/testing|Documentation)/'; then
			KPATCHES+=("$p")
		fi
	done
}

kmake()
{
	make -C "$tree" O="$obj" ARCH="$karch" CROSS_COMPILE="$cross" "$@"
}

# make_with_progress LOG ARGS...: kmake ARGS into LOG, printing a line
# every 30 seconds instead of thousands of lines of build output.
make_with_progress()
{
	local log=$1 start=$SECONDS next=$((SECONDS + 30)) pid n steps
	shift
	steps='^  (CC|AS|LD|AR|BTF|DTC|OBJCOPY|GZIP|HDRINST|INSTALL)|^dpkg-deb: building'
	kmake "$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		((SECONDS >= next)) || continue
		next=$((next + 30))
		n=$(grep -cE "$steps" "$log" || true)
		info "[$klabel] $((SECONDS - start))s: $n build steps, now: $(grep -E "$steps" "$log" | tail -1 | sed 's/^ *//')"
	done
	wait $pid || { tail -40 "$log" >&2; die "$klabel kernel build failed; full log: $log"; }
}

# kdeb_version: the Debian version of the packages: the kernel's version,
# then the patch set applied to the tree (apply_series), so that
# `dpkg -l` and `uname -v` (which shows the revision) tell which series a
# kernel has.
kdeb_version()
{
	echo "$(kmake -s kernelversion)-1+vpmu.$(cut -c1-8 "$tree.applied")"
}

# bindeb_pkg DEST LOG HEADERS [MAKE ARGS...]: build the configured tree
# with the kernel's `make bindeb-pkg` and move the packages into DEST.  It
# builds what `make all` builds, reusing the objects already in $obj, and
# packs linux-image-RELEASE (boot/vmlinuz-RELEASE, config, System.map,
# modules) and linux-libc-dev, with HEADERS=1 linux-headers-RELEASE (for
# out-of-tree modules), and never the -dbg package (gigabytes with a
# distribution's config).
bindeb_pkg()
{
	local dest=$1 log=$2 headers=$3 version profiles f
	shift 3
	version=$(kdeb_version)
	profiles=pkg.linux-upstream.nokerneldbg
	((headers)) || profiles+=,pkg.linux-upstream.nokernelheaders
	rm -f "$obj/debian/files"
	make_with_progress "$log" -j"$(nproc)" KDEB_PKGVERSION="$version" \
		DPKG_FLAGS="--build-profiles=$profiles" "$@" bindeb-pkg
	# dpkg-buildpackage leaves its results beside the object directory;
	# debian/files lists them.  KDEB_FILES: their names.
	mkdir -p "$dest"
	KDEB_FILES=()
	while read -r f _; do
		KDEB_FILES+=("$f")
	done <"$obj/debian/files"
	KDEB_FILES+=("linux-upstream_${version}_$debarch.changes")
	for f in "${KDEB_FILES[@]}"; do
		mv "$obj/../$f" "$dest/"
	done
}
