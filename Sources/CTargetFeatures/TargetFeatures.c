// Everything is in include/TargetFeatures.h (static inline); a C target needs one source file.
#include "TargetFeatures.h"
