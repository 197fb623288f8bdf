// Flash attention, portable scalar instance: the same templates with one-lane "vectors" (any CPU). Also the
// reference the vector instances are tested against, since it shares their blocking logic line for line.
#define FL_ISA_SCALAR 1
#define FL_QV 4
#define FL_SJ 4
#define FL_PD 4
#define FL_BC 64
#define FL_DEC 256
#define FL_KV 4
#define FL_RB 4
#define FL_DB 4
#define FL_BRB 64
#define FL_CHUNK 64
#define FL_IMPL_NAME ck_flash_scalar_impl
#include "flash_instance.h"
