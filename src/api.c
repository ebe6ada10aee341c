/*
 * api.c -- every elig_* definition of the public header: argument checks and the mapping
 * from internal status codes to the public ones.
 */
#include "config.h"

#define ELIG_BUILDING 1
#include "elig.h"

const char *elig_version(void)
{
  return PACKAGE_VERSION;
}
