// Index-method scans: the opcodes that walk the candidate rowids an index
// method returns (keel/ext/index_method.hpp). The planner codes
//
//     IdxMethodFilter  C, done, args   (P4: IndexMethodScan)
//   top:
//     IdxMethodRowid   C, r
//     SeekRowid        table, next, r
//     ... WHERE terms, output ...
//   next:
//     IdxMethodNext    C, top
//   done:
//
// The cursors live beside the VM's b-tree cursors (same numbering, their own
// slots) and are closed with them.
#include "vm/vm.h"

namespace keel::vm {

Status Vm::exec_index_method_op(const Instr& op) {
  Value* r = regs_.data();
  auto slot = [&](int i) -> std::unique_ptr<ext::IndexCursor>& {
    if (index_method_cursors_.size() <= static_cast<size_t>(i)) index_method_cursors_.resize(i + 1);
    return index_method_cursors_[i];
  };
  switch (op.op) {
    // Opcode: IdxMethodFilter P1 P2 P3 P4 *
    // Starts a scan of an index-method index on cursor P1: P4 (an
    // IndexMethodScan) names the index and the query shape, registers
    // P3.. hold its arguments. Jumps to P2 if there is no candidate.
    case Op::IdxMethodFilter: {
      const auto& scan = *static_cast<const IndexMethodScan*>(op.p4.ptr);
      std::span<const Value> args(r + op.p3, static_cast<size_t>(scan.n_args));
      int64_t limit = -1;
      if (scan.limit_reg && !r[scan.limit_reg].is_null()) limit = r[scan.limit_reg].as_int64();
      if (limit < 0) limit = -1;
      auto& c = slot(op.p1);
      c.reset();
      auto cur = host_.index_method_query(scan, args, limit);
      if (!cur.ok()) return cur.take_status();
      c = std::move(cur).value();
      if (!c || c->eof()) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: IdxMethodNext P1 P2 * * *
    // Advances index-method cursor P1; jumps to P2 while it has a row.
    case Op::IdxMethodNext: {
      auto& c = slot(op.p1);
      if (!c) return Status::Ok();
      KEEL_RETURN_IF_ERROR(c->next());
      if (!c->eof()) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: IdxMethodRowid P1 P2 * * *
    // Register P2 = the rowid of index-method cursor P1's current candidate.
    case Op::IdxMethodRowid: {
      auto& c = slot(op.p1);
      if (!c || c->eof()) {
        r[op.p2].set_null();
      } else {
        r[op.p2].set_int(c->rowid());
      }
      return Status::Ok();
    }

    default:
      return Status(rc::kInternal, std::string("not an index-method opcode: ") + opcode_name(op.op));
  }
}

}  // namespace keel::vm
