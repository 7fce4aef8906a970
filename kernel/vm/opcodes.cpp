#include "vm/opcodes.h"

#include <cstddef>

namespace keel::vm {

namespace {
constexpr const char* kNames[] = {
#define KEEL_OP_NAME(name, jump) #name,
    KEEL_OPCODES(KEEL_OP_NAME)
#undef KEEL_OP_NAME
};
constexpr JumpIn kJumps[] = {
#define KEEL_OP_JUMP(name, jump) jump,
    KEEL_OPCODES(KEEL_OP_JUMP)
#undef KEEL_OP_JUMP
};
}  // namespace

const char* opcode_name(Op op) {
  auto i = static_cast<size_t>(op);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "?";
}

JumpIn opcode_jump(Op op) {
  auto i = static_cast<size_t>(op);
  return i < sizeof(kJumps) / sizeof(kJumps[0]) ? kJumps[i] : kNoJump;
}

}  // namespace keel::vm
