// The Capture of each connection that loaded the module, found by the
// connection's opaque handle (pragma handlers and functions are shared by
// all connections and get only a Session).
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "capture.h"

namespace keel::cdc {

class Connections {
 public:
  void add(void* handle, std::shared_ptr<Capture> capture) {
    std::lock_guard<std::mutex> lock(mu_);
    by_handle_.emplace_back(handle, std::move(capture));
  }
  void remove(void* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(by_handle_, [&](const auto& e) { return e.first == handle; });
  }
  std::shared_ptr<Capture> find(void* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [h, c] : by_handle_) {
      if (h == handle) return c;
    }
    return nullptr;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<void*, std::shared_ptr<Capture>>> by_handle_;
};

}  // namespace keel::cdc
