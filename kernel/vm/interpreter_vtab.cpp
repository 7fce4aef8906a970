// Virtual-table opcodes (SQLite's OP_VOpen, OP_VFilter, OP_VNext,
// OP_VColumn, OP_VUpdate, OP_VCreate, OP_VDestroy, OP_VBegin), plus Column
// and Rowid on a virtual-table cursor. Same contract format as
// interpreter.cpp. The table objects are reached through P4 pointers the
// Program keeps alive (Program::own_object), so a cursor never outlives its
// table.
#include "func/ext_args.h"
#include "func/function.h"
#include "keel/ext/virtual_table.hpp"
#include "vm/cursor.h"
#include "vm/vm.h"

namespace keel::vm {

namespace {

ext::VirtualTable* vtab_of(const Instr& op) {
  return static_cast<ext::VirtualTable*>(const_cast<void*>(op.p4.ptr));
}

}  // namespace

Status VmHost::vtab_begin(const std::shared_ptr<ext::VirtualTable>& table) { return table->begin(); }

Status Vm::exec_vtab_op(const Instr& op) {
  Value* r = regs_.data();
  switch (op.op) {
    // Opcode: VOpen P1 * * P4 *
    // Opens cursor P1 on virtual table P4 (VirtualTable::open).
    case Op::VOpen: {
      KEEL_ASSIGN_OR_RETURN(std::unique_ptr<ext::VirtualCursor> cur, vtab_of(op)->open());
      if (!cur) return Status(rc::kError, "virtual table returned no cursor");
      cursors_[op.p1] = VmCursor::virtual_table(std::move(cur));
      cursors_[op.p1]->set_eof(true);
      return Status::Ok();
    }

    // Opcode: VFilter P1 P2 P3 P4 *
    // Starts the scan of virtual cursor P1: register P3 holds idx_num, P3+1
    // the argument count n, P3+2.. the n arguments; P4 is idx_str. Jumps to
    // P2 if there is no row.
    case Op::VFilter: {
      VmCursor& c = *cursors_[op.p1];
      int idx_num = static_cast<int>(r[op.p3].int_value());
      int argc = static_cast<int>(r[op.p3 + 1].int_value());
      std::string_view idx_str = op.p4type == P4Type::kString ? std::string_view(op.p4.str, op.p4n) : "";
      c.set_null_row(false);
      Status s;
      func::with_ext_args(std::span<Value>(&r[op.p3 + 2], static_cast<size_t>(argc)),
                          [&](ext::Args args) { s = c.vtab()->filter(idx_num, idx_str, args); });
      KEEL_RETURN_IF_ERROR(s);
      bool eof = c.vtab()->eof();
      c.set_eof(eof);
      if (eof) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: VNext P1 P2 * * *
    // Advances virtual cursor P1; jumps to P2 if it has another row.
    case Op::VNext: {
      VmCursor& c = *cursors_[op.p1];
      if (c.eof() || c.null_row()) return Status::Ok();
      KEEL_RETURN_IF_ERROR(c.vtab()->next());
      bool eof = c.vtab()->eof();
      c.set_eof(eof);
      if (!eof) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: VColumn P1 P2 P3 * *
    // Register P3 = column P2 of virtual cursor P1's current row (NULL on a
    // NullRow). Column on a virtual cursor does the same; Rowid calls rowid().
    case Op::Column:
    case Op::VColumn: {
      VmCursor& c = *cursors_[op.p1];
      Value& out = r[op.p3];
      out.set_null();
      if (c.null_row() || c.eof()) return Status::Ok();
      func::FunctionContext fc(nullptr, &host_.function_host());
      fc.set_result_slot(&out);
      ext::Context ctx(&fc);
      KEEL_RETURN_IF_ERROR(c.vtab()->column(ctx, op.p2));
      if (fc.has_error()) return Status(fc.error_code(), fc.error_message());
      if (out.is_bytes() && static_cast<int64_t>(out.size()) > host_.max_length()) {
        return Status(rc::kTooBig, "string or blob too big");
      }
      return Status::Ok();
    }
    case Op::Rowid: {
      VmCursor& c = *cursors_[op.p1];
      if (c.null_row() || c.eof()) {
        r[op.p2].set_null();
        return Status::Ok();
      }
      KEEL_ASSIGN_OR_RETURN(int64_t rowid, c.vtab()->rowid());
      r[op.p2].set_int(rowid);
      return Status::Ok();
    }

    // Opcode: VUpdate P1 P2 P3 P4 *
    // Calls update() of virtual table P4 with the P2 registers starting at
    // P3 (SQLite's xUpdate argv: old rowid, new rowid, columns...). With P1
    // set, the rowid update() reports becomes last_insert_rowid. Counts one
    // change.
    case Op::VUpdate: {
      int64_t rowid = 0;
      ext::VirtualTable* t = vtab_of(op);
      if (op.p2 > 1 && r[op.p3 + 1].is_int()) rowid = r[op.p3 + 1].int_value();
      Status s;
      func::with_ext_args(std::span<Value>(&r[op.p3], static_cast<size_t>(op.p2)),
                          [&](ext::Args args) { s = t->update(args, &rowid); });
      KEEL_RETURN_IF_ERROR(s);
      if (op.p1) host_.set_last_insert_rowid(rowid);
      count_changes(1);
      return Status::Ok();
    }

    // Opcode: VBegin * * * P4 *
    // The statement is about to write virtual table P4 (a shared_ptr to the
    // table): the host starts the table's transaction (begin()) unless it
    // already runs.
    case Op::VBegin:
      return host_.vtab_begin(*static_cast<const std::shared_ptr<ext::VirtualTable>*>(op.p4.ptr));

    // Opcode: VCreate P1 * * P4 *
    // xCreate of the virtual table named P4 in database P1 (its schema row
    // is already parsed).
    case Op::VCreate:
      return host_.vtab_create(op.p1, std::string_view(op.p4.str, op.p4n));

    // Opcode: VDestroy P1 * * P4 *
    // xDestroy of the virtual table named P4 in database P1.
    case Op::VDestroy:
      return host_.vtab_destroy(op.p1, std::string_view(op.p4.str, op.p4n));

    default:
      return Status(rc::kInternal, std::string("not a virtual-table opcode: ") + opcode_name(op.op));
  }
}

}  // namespace keel::vm
