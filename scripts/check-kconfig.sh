#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that a kernel .config has every option that config fragments
# request.  olddefconfig silently drops an option whose dependencies are
# unmet (or whose value is invalid for its type), so a merged config must
# be checked: a kernel missing one would build and then lie.  Prints one
# line per option that did not survive, naming the fragment, the option,
# the value asked for and the value the config has; exit status 1 if any.
#
# Usage: scripts/check-kconfig.sh CONFIG FRAGMENT...
set -euo pipefail

config=${1:?usage: check-kconfig.sh CONFIG FRAGMENT...}
shift
(($#)) || { echo "usage: check-kconfig.sh CONFIG FRAGMENT..." >&2; exit 2; }
[[ -r $config ]] || { echo "error: cannot read $config" >&2; exit 2; }

# The config's assignments, "SYM VALUE", for one lookup per fragment line.
declare -A have
while IFS='=' read -r sym val; do
	have[$sym]=$val
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$config")

bad=0
for frag in "$@"; do
	[[ -r $frag ]] || { echo "error: cannot read $frag" >&2; exit 2; }
	lineno=0
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]} want=n
		else
			continue
		fi
		got=${have[$sym]-}
		[[ $want == n && -z $got ]] && continue
		if [[ $got != "$want" ]]; then
			echo "error: $(basename "$frag"):$lineno: $sym=$want requested, $(basename "$config") has ${got:+$sym=}${got:-it unset}" >&2
			bad=1
		fi
	done <"$frag"
done
exit $bad
