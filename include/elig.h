/*
 * elig.h -- the public interface of libelig, a rule engine for social-assistance eligibility.
 *
 * The full embedding API (compile a rule set, evaluate records from many threads, read
 * decisions, flags and explanations) is being built in issue 5; this header currently
 * declares the version query only.
 */
#ifndef ELIG_H
#define ELIG_H

#ifdef __cplusplus
extern "C" {
#endif

#define ELIG_VERSION_MAJOR 0
#define ELIG_VERSION_MINOR 1
#define ELIG_VERSION_PATCH 0
#define ELIG_VERSION_NUMBER (ELIG_VERSION_MAJOR * 10000 + ELIG_VERSION_MINOR * 100 + ELIG_VERSION_PATCH)

#if defined(__GNUC__) && defined(ELIG_BUILDING)
#define ELIG_API __attribute__((visibility("default")))
#else
#define ELIG_API
#endif

/* The library's version as "MAJOR.MINOR.PATCH"; a static string (never free it). */
ELIG_API const char *elig_version(void);

#ifdef __cplusplus
}
#endif

#endif
