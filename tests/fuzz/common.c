/*
 * common.c -- helpers of the fuzz targets.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

const char *fuzz_source_path(const char *rel)
{
  static char path[4096];
  const char *srcdir = getenv("srcdir");
  snprintf(path, sizeof path, "%s/%s", srcdir && *srcdir ? srcdir : ".", rel);
  return path;
}
