// The window opcodes: the VM's side of vm/window.h.
#include "vm/vm.h"
#include "vm/window.h"

namespace keel::vm {

// Opcode: WindowAppend P1 P2 P3 P4 *
// Appends registers P2..P2+P3-1 as a row of window partition P1 (created
// with WindowPlan P4 on first use).
//
// Opcode: WindowRun P1 * * P4 *
// Computes every window function of plan P4 over the rows of partition P1.
//
// Opcode: WindowRewind P1 P2 * * *
// Positions partition P1 on its first row; jumps to P2 if it has none.
//
// Opcode: WindowNext P1 P2 * * *
// Advances partition P1; jumps to P2 if there is another row.
//
// Opcode: WindowColumn P1 P2 P3 * *
// Register P3 = column P2 of the current row of partition P1 (columns past
// the row's width are the window functions' results).
//
// Opcode: WindowReset P1 * * * *
// Empties partition P1 for the next partition.
Status Vm::exec_window_op(const Instr& op) {
  if (op.p1 < 0) return Status(rc::kInternal, "bad window cursor");
  size_t w = static_cast<size_t>(op.p1);
  if (windows_.size() <= w) windows_.resize(w + 1);
  std::unique_ptr<WindowPartition>& part = windows_[w];
  if (!part) {
    if (op.p4type != P4Type::kPointer) {
      // Reading a partition that never received a row.
      if (op.op == Op::WindowRewind) jump(op.p2);
      if (op.op == Op::WindowColumn) regs_[op.p3].set_null();
      return Status::Ok();
    }
    part = std::make_unique<WindowPartition>(static_cast<const WindowPlan*>(op.p4.ptr));
  }
  switch (op.op) {
    case Op::WindowAppend:
      part->append(&regs_[op.p2]);
      break;
    case Op::WindowRun:
      return part->run(host_.function_host(), std::span<const Value>(regs_.data(), regs_.size()),
                       host_.max_length(), [this] { return host_.interrupted(); });
    case Op::WindowRewind:
      if (!part->rewind()) jump(op.p2);
      break;
    case Op::WindowNext:
      if (part->next()) {
        jump(op.p2);
      } else {
        Status s = part->take_error();
        if (!s.ok()) return s;
      }
      break;
    case Op::WindowColumn:
      regs_[op.p3].copy_from(part->column(op.p2));
      break;
    case Op::WindowReset:
      part->clear();
      break;
    default:
      return Status(rc::kInternal, "not a window opcode");
  }
  return Status::Ok();
}

}  // namespace keel::vm
