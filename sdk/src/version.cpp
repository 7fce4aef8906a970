#include "keel/version.hpp"

namespace keel {

const char* version() { return kVersion; }

}  // namespace keel
