// COpenBLAS: exposes OpenBLAS's CBLAS interface to Swift. No Swift API of its own.
#ifndef SWIFTMLP_COPENBLAS_SHIM_H
#define SWIFTMLP_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
