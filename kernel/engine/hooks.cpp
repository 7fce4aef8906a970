// The progress hook rides on the VM's periodic interrupt check (see hooks.h).
#include "engine/connection.h"

namespace keel::engine {

bool Connection::interrupted() const {
  if (interrupt_.load(std::memory_order_relaxed)) return true;
  if (!hooks_.progress || hooks_.progress_ops <= 0) return false;
  hooks_.progress_pending += kInterruptCheckPeriod;
  if (hooks_.progress_pending < hooks_.progress_ops) return false;
  hooks_.progress_pending = 0;
  return hooks_.progress();
}

}  // namespace keel::engine
