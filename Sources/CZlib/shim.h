// CZlib: exposes zlib's inflate API to Swift (gzip-compressed IDX files). No Swift API of its own.
#ifndef SWIFTMLP_CZLIB_SHIM_H
#define SWIFTMLP_CZLIB_SHIM_H
#include <zlib.h>
#endif
