// The interpreter loop: one case per opcode.
//
// Each case starts with its contract in SQLite's fixed form,
//   Opcode: Name P1 P2 P3 P4 P5
// followed by what it does. Register n is regs_[n]; "jump to P2" means the
// next instruction executed is ops[P2]. The loop allocates nothing per row:
// registers keep their buffers, cursors decode rows in place.
#include <cmath>
#include <cstring>

#include "vm/affinity.h"
#include "vm/cursor.h"
#include "vm/numeric.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/value_compare.h"
#include "vm/vm.h"

namespace keel::vm {
namespace {

// Truth value of a register for If/IfNot/And/Or: -1 NULL, 0 false, 1 true.
int truth(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return -1;
    case ValueType::kInteger: return v.int_value() != 0;
    case ValueType::kReal: return v.real_value() != 0.0;
    default: return v.as_double() != 0.0;
  }
}

// Converts v to an integer for MustBeInt / SeekRowid: true if exact.
bool to_exact_int(Value& v) {
  if (v.is_int()) return true;
  Value tmp;
  tmp.copy_from(v);
  // NUMERIC affinity, as SQLite's applyAffinity: text, and a REAL that is
  // an exact integer (2.0), become INTEGER.
  apply_affinity(tmp, Affinity::kNumeric);
  if (tmp.is_int()) {
    v.set_int(tmp.int_value());
    return true;
  }
  return false;
}

}  // namespace

Status Vm::exec() {
  const Instr* ops = program_.ops.data();
  const int n_ops = static_cast<int>(program_.ops.size());
  Value* r = regs_.data();
  Status s;

  if (pc_ < 0) return Status::Ok();
  for (;;) {
    if (pc_ >= n_ops) return halt(Instr{});
    const Instr& op = ops[pc_];
    n_vm_step_++;
    if ((n_vm_step_ & 0x3ff) == 0 && host_.interrupted()) {
      return fail(Status(rc::kInterrupt, "interrupted"));
    }
    switch (op.op) {
      // Opcode: Init * P2 * * *
      // Start of every program: jump to P2.
      case Op::Init:
      // Opcode: Goto * P2 * * *
      case Op::Goto:
        pc_ = op.p2;
        continue;

      // Opcode: Gosub P1 P2 * * *
      // Stores the current address in register P1 and jumps to P2.
      case Op::Gosub:
        r[op.p1].set_int(pc_);
        pc_ = op.p2;
        continue;

      // Opcode: Return P1 * P3 * *
      // Jumps to the instruction after the address stored in register P1.
      // With P3 set, falls through when P1 holds no address: the end of a
      // subroutine that also runs in line (the inner loops of a RIGHT JOIN).
      case Op::Return:
        if (op.p3 && !r[op.p1].is_int()) break;
        pc_ = static_cast<int>(r[op.p1].int_value()) + 1;
        continue;

      // Opcode: InitCoroutine P1 P2 P3 * *
      // Sets register P1 so that the first Yield to it enters the coroutine at
      // P3; then jumps to P2 (if non-zero).
      case Op::InitCoroutine:
        r[op.p1].set_int(op.p3 - 1);
        if (op.p2) {
          pc_ = op.p2;
          continue;
        }
        break;

      // Opcode: EndCoroutine P1 * * * *
      // The coroutine whose return address is in P1 has ended: jump to the
      // P2 of the Yield that last entered it.
      case Op::EndCoroutine: {
        int caller = static_cast<int>(r[op.p1].int_value());
        r[op.p1].set_int(pc_);
        pc_ = ops[caller].p2;
        continue;
      }

      // Opcode: Yield P1 P2 * * *
      // Swaps the program counter with register P1.
      case Op::Yield: {
        int target = static_cast<int>(r[op.p1].int_value());
        r[op.p1].set_int(pc_);
        pc_ = target + 1;
        continue;
      }

      // Opcode: Halt P1 P2 * P4 P5
      // Ends the program. P1 is the result code; if not OK, P2 is the
      // conflict action (OnError) and P4 the message, P5 the constraint kind.
      case Op::Halt:
        return halt(op);

      // Opcode: HaltIfNull P1 P2 P3 P4 P5
      // Halt (as above) if register P3 is NULL.
      case Op::HaltIfNull:
        if (r[op.p3].is_null()) return halt(op);
        break;

      // Opcode: If P1 P2 P3 * *
      // Jump to P2 if register P1 is true; a NULL jumps iff P3 is non-zero.
      case Op::If: {
        int t = truth(r[op.p1]);
        if (t == 1 || (t < 0 && op.p3)) {
          pc_ = op.p2;
          continue;
        }
        break;
      }
      // Opcode: IfNot P1 P2 P3 * *
      // Jump to P2 if register P1 is false; a NULL jumps iff P3 is non-zero.
      case Op::IfNot: {
        int t = truth(r[op.p1]);
        if (t == 0 || (t < 0 && op.p3)) {
          pc_ = op.p2;
          continue;
        }
        break;
      }
      // Opcode: IsNull P1 P2 * * *
      case Op::IsNull:
        if (r[op.p1].is_null()) {
          pc_ = op.p2;
          continue;
        }
        break;
      // Opcode: NotNull P1 P2 * * *
      case Op::NotNull:
        if (!r[op.p1].is_null()) {
          pc_ = op.p2;
          continue;
        }
        break;

      // Opcode: IfPos P1 P2 P3 * *
      // If the integer in P1 is positive, subtract P3 from it and jump to P2.
      case Op::IfPos:
        if (r[op.p1].as_int64() > 0) {
          r[op.p1].set_int(r[op.p1].as_int64() - op.p3);
          pc_ = op.p2;
          continue;
        }
        break;

      // Opcode: IfNotZero P1 P2 * * *
      // If the integer in P1 is not zero: decrement it if positive, jump to P2.
      case Op::IfNotZero: {
        int64_t v = r[op.p1].as_int64();
        if (v != 0) {
          if (v > 0) r[op.p1].set_int(v - 1);
          pc_ = op.p2;
          continue;
        }
        break;
      }

      // Opcode: DecrJumpZero P1 P2 * * *
      // Decrement the integer in P1; jump to P2 if it became zero.
      case Op::DecrJumpZero: {
        int64_t v = r[op.p1].as_int64();
        if (v > INT64_MIN) v--;
        r[op.p1].set_int(v);
        if (v == 0) {
          pc_ = op.p2;
          continue;
        }
        break;
      }

      // Opcode: Once * P2 * * *
      // Falls through the first time it is reached in a run; jumps to P2 after.
      case Op::Once:
        if (once_[pc_]) {
          pc_ = op.p2;
          continue;
        }
        once_[pc_] = 1;
        break;

      // Opcode: Jump P1 P2 P3 * *
      // After Compare: jump to P1, P2 or P3 as the vectors compared less,
      // equal or greater.
      case Op::Jump:
        pc_ = compare_result_ < 0 ? op.p1 : compare_result_ == 0 ? op.p2 : op.p3;
        continue;

      case Op::Noop:
      case Op::Explain:
        break;

      // Opcode: Integer P1 P2 * * *
      case Op::Integer:
        r[op.p2].set_int(op.p1);
        break;
      // Opcode: Int64 * P2 * P4 *
      case Op::Int64:
        r[op.p2].set_int(op.p4.i64);
        break;
      // Opcode: Real * P2 * P4 *
      case Op::Real:
        r[op.p2].set_real(op.p4.real);
        break;
      // Opcode: String8 * P2 * P4 *
      // Register P2 = the text P4 (borrowed from the Program).
      case Op::String8:
        r[op.p2].set_text_ref(std::string_view(op.p4.str, op.p4n));
        break;
      // Opcode: Blob * P2 * P4 *
      case Op::Blob:
        r[op.p2].set_blob_ref(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(op.p4.str), op.p4n));
        break;
      // Opcode: Null * P2 P3 * *
      // Registers P2 through P3 (or just P2 if P3 <= P2) become NULL.
      case Op::Null: {
        int last = op.p3 > op.p2 ? op.p3 : op.p2;
        for (int i = op.p2; i <= last; i++) r[i].set_null();
        break;
      }
      // Opcode: SoftNull P1 * * * *
      case Op::SoftNull:
        r[op.p1].set_null();
        break;

      // Opcode: Variable P1 P2 * * *
      // Register P2 = the value bound to parameter P1 (borrowed).
      case Op::Variable:
        r[op.p2].shallow_copy_from(params_[op.p1 - 1]);
        break;

      // Opcode: Move P1 P2 P3 * *
      // Moves registers P1..P1+P3-1 to P2..; the sources become NULL.
      case Op::Move:
        for (int i = 0; i < op.p3; i++) {
          r[op.p2 + i] = std::move(r[op.p1 + i]);
          r[op.p1 + i].set_null();
        }
        break;
      // Opcode: Copy P1 P2 P3 * *
      // Deep-copies registers P1..P1+P3 into P2..P2+P3.
      case Op::Copy:
        for (int i = 0; i <= op.p3; i++) r[op.p2 + i].copy_from(r[op.p1 + i]);
        if (op.p5 & kOpflagCopyNoSubtype) {
          for (int i = 0; i <= op.p3; i++) r[op.p2 + i].set_subtype(0);
        }
        break;
      // Opcode: SCopy P1 P2 * * *
      // Register P2 = register P1; text may be shared with P1.
      case Op::SCopy:
        r[op.p2].shallow_copy_from(r[op.p1]);
        break;
      // Opcode: IntCopy P1 P2 * * *
      case Op::IntCopy:
        r[op.p2].set_int(r[op.p1].int_value());
        break;

      // Opcode: ResultRow P1 P2 * * *
      // Registers P1..P1+P2-1 are a result row: return it to the caller.
      case Op::ResultRow:
        row_ = &r[op.p1];
        row_size_ = op.p2;
        pc_++;
        return Status::Ok();

      // Opcode: Add P1 P2 P3 * *   (and Subtract, Multiply, Divide, Remainder)
      // Register P3 = register P2 op register P1.
      case Op::Add:
        arith_add(r[op.p2], r[op.p1], r[op.p3]);
        break;
      case Op::Subtract:
        arith_sub(r[op.p2], r[op.p1], r[op.p3]);
        break;
      case Op::Multiply:
        arith_mul(r[op.p2], r[op.p1], r[op.p3]);
        break;
      case Op::Divide:
        arith_div(r[op.p2], r[op.p1], r[op.p3]);
        break;
      case Op::Remainder:
        arith_rem(r[op.p2], r[op.p1], r[op.p3]);
        break;

      // Opcode: Concat P1 P2 P3 * *
      // Register P3 = register P2 || register P1; NULL if either is NULL.
      case Op::Concat: {
        const Value& a = r[op.p2];
        const Value& b = r[op.p1];
        if (a.is_null() || b.is_null()) {
          r[op.p3].set_null();
          break;
        }
        NumberText ta, tb;
        std::string_view sa = a.as_text(ta), sb = b.as_text(tb);
        if (static_cast<int64_t>(sa.size() + sb.size()) > host_.max_length()) {
          return fail(Status(rc::kTooBig, "string or blob too big"));
        }
        // The destination may be one of the sources: build in a scratch value.
        Value out;
        char* p = out.prepare_text(sa.size() + sb.size());
        if (!sa.empty()) std::memcpy(p, sa.data(), sa.size());
        if (!sb.empty()) std::memcpy(p + sa.size(), sb.data(), sb.size());
        r[op.p3] = std::move(out);
        break;
      }

      // Opcode: BitAnd P1 P2 P3 * *  (BitOr, ShiftLeft, ShiftRight)
      // Register P3 = register P2 op register P1, as integers; NULL in, NULL out.
      case Op::BitAnd:
      case Op::BitOr:
      case Op::ShiftLeft:
      case Op::ShiftRight: {
        if (r[op.p1].is_null() || r[op.p2].is_null()) {
          r[op.p3].set_null();
          break;
        }
        int64_t a = r[op.p2].as_int64();
        int64_t b = r[op.p1].as_int64();
        int64_t v;
        if (op.op == Op::BitAnd) {
          v = a & b;
        } else if (op.op == Op::BitOr) {
          v = a | b;
        } else {
          // SQLite: a negative shift amount shifts the other way; shifts of
          // 64 or more give 0 (or -1 for a negative value shifted right).
          bool left = op.op == Op::ShiftLeft;
          if (b < 0) {
            left = !left;
            b = b > -64 ? -b : 64;
          }
          if (b >= 64) {
            v = (!left && a < 0) ? -1 : 0;
          } else if (left) {
            v = static_cast<int64_t>(static_cast<uint64_t>(a) << b);
          } else {
            v = a >> b;
          }
        }
        r[op.p3].set_int(v);
        break;
      }

      // Opcode: AddImm P1 P2 * * *
      // Register P1 = its integer value + P2.
      case Op::AddImm:
        r[op.p1].set_int(static_cast<int64_t>(static_cast<uint64_t>(r[op.p1].as_int64()) + op.p2));
        break;

      // Opcode: MustBeInt P1 P2 * * *
      // Makes register P1 an integer; if it cannot be one exactly, jump to P2,
      // or fail with SQLITE_MISMATCH when P2 is 0.
      case Op::MustBeInt:
        if (!to_exact_int(r[op.p1])) {
          if (op.p2 == 0) return fail(Status(rc::kMismatch, "datatype mismatch"));
          pc_ = op.p2;
          continue;
        }
        break;

      // Opcode: RealAffinity P1 * * * *
      case Op::RealAffinity:
        if (r[op.p1].is_int()) r[op.p1].set_real(static_cast<double>(r[op.p1].int_value()));
        break;

      // Opcode: Cast P1 P2 * * *
      // CAST(register P1 AS affinity P2), in place.
      case Op::Cast:
        cast_value(r[op.p1], static_cast<Affinity>(op.p2));
        break;

      // Opcode: Affinity P1 P2 * P4 *
      // Applies affinity letter i of P4 to register P1+i, for P2 registers.
      case Op::Affinity:
        for (int i = 0; i < op.p2 && op.p4.str[i]; i++) {
          apply_affinity(r[op.p1 + i], static_cast<Affinity>(op.p4.str[i]));
        }
        break;

      // Opcode: TypeCheck P1 P2 * P4 *
      // STRICT tables: registers P1..P1+P2-1 are checked against the column
      // types of TypeCheckInfo P4 (affinity applied, NULL accepted); a
      // mismatch fails with SQLITE_CONSTRAINT_DATATYPE.
      case Op::TypeCheck: {
        auto* info = static_cast<const TypeCheckInfo*>(op.p4.ptr);
        for (int i = 0; i < op.p2 && i < static_cast<int>(info->columns.size()); i++) {
          if (info->columns[i].first == StrictType::kAny) continue;
          s = strict_check(r[op.p1 + i], info->columns[i].first, info->table, info->columns[i].second);
          if (!s.ok()) {
            statement_on_error_ = OnError::kAbort;
            return fail(std::move(s));
          }
        }
        break;
      }

      // Opcode: Not P1 P2 * * *
      case Op::Not: {
        int t = truth(r[op.p1]);
        if (t < 0) {
          r[op.p2].set_null();
        } else {
          r[op.p2].set_int(!t);
        }
        break;
      }
      // Opcode: BitNot P1 P2 * * *
      case Op::BitNot:
        if (r[op.p1].is_null()) {
          r[op.p2].set_null();
        } else {
          r[op.p2].set_int(~r[op.p1].as_int64());
        }
        break;

      // Opcode: And P1 P2 P3 * *   (and Or)
      // Register P3 = register P1 AND/OR register P2, three-valued.
      case Op::And:
      case Op::Or: {
        int a = truth(r[op.p1]), b = truth(r[op.p2]);
        int v;
        if (op.op == Op::And) {
          v = (a == 0 || b == 0) ? 0 : (a < 0 || b < 0) ? -1 : 1;
        } else {
          v = (a == 1 || b == 1) ? 1 : (a < 0 || b < 0) ? -1 : 0;
        }
        if (v < 0) {
          r[op.p3].set_null();
        } else {
          r[op.p3].set_int(v);
        }
        break;
      }

      // Opcode: IsTrue P1 P2 P3 P4 *
      // Register P2 = (register P1 IS TRUE) XOR P4, or P3 when P1 is NULL.
      case Op::IsTrue: {
        int t = truth(r[op.p1]);
        int v = t < 0 ? op.p3 : (t ^ op.p4.i);
        r[op.p2].set_int(v);
        break;
      }

      // Opcode: Eq P1 P2 P3 P4 P5   (and Ne, Lt, Le, Gt, Ge)
      // Compares register P3 (left) with register P1 (right) under the
      // affinity in P5 and the collation P4; jumps to P2 when the relation
      // holds. NULLs: with kCmpNullEq, NULL equals NULL (IS / IS NOT);
      // otherwise the jump is taken iff kCmpJumpIfNull is set.
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        const Value& left = r[op.p3];
        const Value& right = r[op.p1];
        bool jump;
        if (left.is_null() || right.is_null()) {
          if (op.p5 & kCmpNullEq) {
            bool both = left.is_null() && right.is_null();
            compare_result_ = both ? 0 : 1;
            jump = (op.op == Op::Eq) ? both : (op.op == Op::Ne) ? !both : false;
          } else {
            compare_result_ = 1;  // not equal, for a following ElseEq
            jump = (op.p5 & kCmpJumpIfNull) != 0;
          }
        } else {
          Affinity aff = static_cast<Affinity>(op.p5 & kCmpAffinityMask);
          if ((op.p5 & kCmpAffinityMask) == 0) aff = Affinity::kNone;
          const Collation* coll = op.p4type == P4Type::kCollation ? op.p4.coll : nullptr;
          int c = compare_with_affinity(left, right, aff, coll);
          compare_result_ = c;
          switch (op.op) {
            case Op::Eq: jump = c == 0; break;
            case Op::Ne: jump = c != 0; break;
            case Op::Lt: jump = c < 0; break;
            case Op::Le: jump = c <= 0; break;
            case Op::Gt: jump = c > 0; break;
            default: jump = c >= 0; break;
          }
        }
        if (jump) {
          pc_ = op.p2;
          continue;
        }
        break;
      }

      // Opcode: ElseEq * P2 * * *
      // Follows a Lt/Le/Gt/Ge: jump to P2 if that comparison found the
      // operands equal (and neither NULL).
      case Op::ElseEq:
        if (compare_result_ == 0) {
          pc_ = op.p2;
          continue;
        }
        break;

      case Op::Permutation:
        break;

      // Opcode: ZeroOrNull P1 P2 P3 * *
      // Register P2 = NULL if register P1 or P3 is NULL, else 0 (the false
      // outcome of a comparison computed as a value).
      case Op::ZeroOrNull:
        if (r[op.p1].is_null() || r[op.p3].is_null()) {
          r[op.p2].set_null();
        } else {
          r[op.p2].set_int(0);
        }
        break;

      // Opcode: CollSeq * * * P4 *
      // The next Function or AggStep runs with collating sequence P4 (the
      // collation of its arguments: min(), max()).
      case Op::CollSeq:
        coll_seq_ = op.p4.coll;
        break;

      // Opcode: Compare P1 P2 P3 P4 *
      // Compares registers P1..P1+P3-1 with P2..P2+P3-1 under KeyInfo P4; the
      // outcome is read by the next Jump.
      case Op::Compare: {
        const KeyInfo* ki = op.p4type == P4Type::kKeyInfo ? op.p4.key_info : nullptr;
        int c = 0;
        if (ki) {
          c = compare_keys(&r[op.p1], &r[op.p2], static_cast<size_t>(op.p3), *ki);
        } else {
          for (int i = 0; i < op.p3 && c == 0; i++) c = compare_values(r[op.p1 + i], r[op.p2 + i], nullptr);
        }
        compare_result_ = c;
        break;
      }

      // Opcode: MemMax P1 P2 * * *
      // Register P1 = max(integer P1, integer P2).
      case Op::MemMax:
        if (r[op.p2].as_int64() > r[op.p1].as_int64()) r[op.p1].set_int(r[op.p2].as_int64());
        break;

      // Opcode: OffsetLimit P1 P2 P3 * *
      // Register P2 = limit P1 + max(offset P3, 0) if the limit is positive,
      // else -1: how many rows a subquery must produce.
      case Op::OffsetLimit: {
        int64_t limit = r[op.p1].as_int64();
        int64_t offset = r[op.p3].as_int64();
        if (limit <= 0) {
          r[op.p2].set_int(-1);
        } else {
          int64_t x = limit;
          if (offset > 0 && add_overflows(&x, offset)) x = -1;
          r[op.p2].set_int(x);
        }
        break;
      }

      // Opcode: Function P1 P2 P3 P4 P5
      // Register P3 = function P4 called with the P5 arguments in registers P2...
      // Opcode: PureFunc P1 P2 P3 P4 P5
      // As Function, where the call must be deterministic (P1: 1 in a CHECK
      // constraint, 2 in a generated column, 3 in an index): date('now')
      // and the like fail there.
      case Op::Function:
      case Op::PureFunc:
        s = call_function(op);
        if (!s.ok()) return fail(std::move(s));
        break;

      // Opcode: AggStep P1 P2 P3 P4 P5
      // Feeds the P5 arguments at P2 to aggregate P4 with accumulator P3
      // (P1 = 1: the inverse step of a window function; P1 > 1: register P1
      // = 0 if the step called skip_accumulator_load(), else 1).
      case Op::AggStep:
      case Op::AggInverse:
        s = agg_step(op);
        if (!s.ok()) return fail(std::move(s));
        break;

      // Opcode: AggFinal P1 P2 * P4 *
      // Register P1 = the final value of the aggregate accumulated in P1.
      case Op::AggFinal:
        s = agg_final(op, false);
        if (!s.ok()) return fail(std::move(s));
        break;
      // Opcode: AggValue P1 P2 P3 P4 *
      // Register P3 = the current value of window aggregate P1.
      case Op::AggValue:
        s = agg_final(op, true);
        if (!s.ok()) return fail(std::move(s));
        break;

      case Op::WindowAppend:
      case Op::WindowRun:
      case Op::WindowRewind:
      case Op::WindowNext:
      case Op::WindowColumn:
      case Op::WindowReset:
        s = exec_window_op(op);
        if (!s.ok()) return fail(std::move(s));
        if (jumped_) {
          jumped_ = false;
          continue;
        }
        break;
      // Opcode: FkCounter P1 P2 * * *
      // Adds P2 to a foreign key violation counter: the connection's
      // deferred counter when P1 is set (or under PRAGMA
      // defer_foreign_keys, its counter of deferred immediate constraints),
      // else the statement's counter, checked when the statement ends.
      case Op::FkCounter:
        if (host_.defer_foreign_keys()) {
          host_.fk_deferred_add(op.p2, true);
        } else if (op.p1) {
          host_.fk_deferred_add(op.p2, false);
        } else {
          top()->fk_immediate_ += op.p2;
        }
        break;

      // Opcode: FkIfZero P1 P2 * * *
      // Jumps to P2 if there is no outstanding violation: of deferred
      // constraints when P1 is set, else of the statement's immediate ones.
      case Op::FkIfZero: {
        bool zero = op.p1 ? host_.fk_deferred(false) == 0 && host_.fk_deferred(true) == 0
                          : top()->fk_immediate_ == 0 && host_.fk_deferred(true) == 0;
        if (zero) {
          pc_ = op.p2;
          continue;
        }
        break;
      }

      // Opcode: Program P1 * P3 P4 *
      // Runs sub-program P4 (a foreign key action) to its end; its OP_Param
      // reads this program's registers from P1 (OLD row) and P3 (NEW row).
      // Its failure is this statement's failure.
      case Op::Program:
        s = run_subprogram(op);
        if (!s.ok()) return fail(std::move(s));
        break;

      // Opcode: Param P1 P2 P3 * *
      // In a sub-program: register P2 = the calling program's register
      // P3 + (P1 ? the caller's P3 : the caller's P1).
      case Op::Param:
        s = load_param(op);
        if (!s.ok()) return fail(std::move(s));
        break;

      case Op::IdxMethodFilter:
      case Op::IdxMethodNext:
      case Op::IdxMethodRowid:
        s = exec_index_method_op(op);
        if (!s.ok()) return fail(std::move(s));
        if (jumped_) {
          jumped_ = false;
          continue;
        }
        break;

      default:
        s = exec_cursor_op(op);
        if (!s.ok()) return fail(std::move(s));
        if (row_ != nullptr) return Status::Ok();
        if (finished_) return last_status_;
        if (jumped_) {
          jumped_ = false;
          continue;
        }
        break;
    }
    pc_++;
  }
}

}  // namespace keel::vm
