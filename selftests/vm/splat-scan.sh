#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# splat-scan.sh LOG: print every kernel splat in a console log, one line
# each, and exit 1 if there is any (0 if the log is clean).
#
# Only kernel lines count (they carry the printk timestamp, "[   1.234]"),
# so a test that prints "BUG:" in its own output is not mistaken for one.
# The patterns are the headers the kernel prints for WARN(), BUG(),
# lockdep, RCU debugging, atomic-sleep debugging, oopses, panics, stalls
# and hung tasks.
set -uo pipefail

log=${1:?usage: splat-scan.sh LOG}

pattern='^\[ *[0-9]+\.[0-9]+\] (.*\] )?('
pattern+='WARNING:|BUG:|kernel BUG at|Oops|Kernel panic|'
pattern+='Unable to handle kernel|Internal error:|general protection fault|'
pattern+='INFO: (possible|task .* blocked|rcu|lockdep)|rcu: INFO:|'
pattern+='UBSAN:|refcount_t:|list_(add|del) corruption|'
pattern+='watchdog: BUG|Call [Tt]race:|=+ *$'
pattern+=')'

# "Call Trace:" and lockdep's "=====" rulers only count next to a header,
# so report headers and keep the others as a fallback signal.
hits=$(tr -d '\r' <"$log" | grep -aE "$pattern" | grep -avE '\] =+ *$|Call [Tt]race:' || true)
if [[ -z $hits ]]; then
	# A trace with no recognised header is still a splat.
	hits=$(tr -d '\r' <"$log" | grep -aE '^\[ *[0-9]+\.[0-9]+\] (.*\] )?Call [Tt]race:' || true)
fi
[[ -z $hits ]] && exit 0
printf '%s\n' "$hits"
exit 1
