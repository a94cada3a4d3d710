/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 host-side helpers for kvmt tests.
 */
#ifndef VPMU_KVMT_X86_64_H
#define VPMU_KVMT_X86_64_H

#include <stdbool.h>

#include "../kvmt.h"

#endif /* VPMU_KVMT_X86_64_H */
