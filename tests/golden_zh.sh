#!/bin/sh
# golden_zh.sh -- the golden tests (golden.sh) in Chinese: every case run with its messages
# in zh_CN, compared with NAME.zh_CN.out / NAME.zh_CN.err where the Chinese differs from the
# English, and with NAME.out / NAME.err where it does not (data, codes and names are the same
# in every language).  C.UTF-8 with LANGUAGE, as a machine without the zh_CN locale runs it.
GOLDEN_LANG=zh_CN exec sh "${srcdir:-.}/tests/golden.sh" "$@"
