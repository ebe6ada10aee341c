/*
 * elig.c -- the program's entry point.  Everything else is in cli_main (main.c), so that a
 * test program can run the same command line under an allocator of its own.
 */
#include "cli.h"

int main(int argc, char **argv)
{
  return cli_main(argc, argv);
}
