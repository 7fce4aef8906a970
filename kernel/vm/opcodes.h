// The VM's instruction set.
//
// Names and operand meanings follow SQLite's VDBE (see the opcode reference
// in SQLite's documentation) so that `EXPLAIN` output reads the same and so
// that knowledge of SQLite's code generator carries over. Each opcode's
// contract is documented once, above its case in interpreter.cpp, in the
// fixed form "Opcode: Name P1 P2 P3 P4 P5".
//
// KEEL_OPCODES(X) expands X(Name, JumpFlags) for every opcode; JumpFlags
// says which operand (if any) is a jump target, so the code generator can
// resolve labels and EXPLAIN can print addresses.
#pragma once

#include <cstdint>

namespace keel::vm {

// Which operand holds a jump address.
enum JumpIn : uint8_t { kNoJump = 0, kJumpP2 = 1, kJumpP3 = 2 };

#define KEEL_OPCODES(X)        \
  /* control flow */           \
  X(Init, kJumpP2)             \
  X(Goto, kJumpP2)             \
  X(Gosub, kJumpP2)            \
  X(Return, kNoJump)           \
  X(InitCoroutine, kJumpP2)    \
  X(EndCoroutine, kNoJump)     \
  X(Yield, kJumpP2)            \
  X(Halt, kNoJump)             \
  X(HaltIfNull, kNoJump)       \
  X(If, kJumpP2)               \
  X(IfNot, kJumpP2)            \
  X(IsNull, kJumpP2)           \
  X(NotNull, kJumpP2)          \
  X(IfPos, kJumpP2)            \
  X(IfNotZero, kJumpP2)        \
  X(DecrJumpZero, kJumpP2)     \
  X(Once, kJumpP2)             \
  X(Jump, kJumpP2)             \
  X(Noop, kNoJump)             \
  X(Explain, kNoJump)          \
  /* constants and registers */\
  X(Integer, kNoJump)          \
  X(Int64, kNoJump)            \
  X(Real, kNoJump)             \
  X(String8, kNoJump)          \
  X(Null, kNoJump)             \
  X(SoftNull, kNoJump)         \
  X(ClrSubtype, kNoJump)       \
  X(Blob, kNoJump)             \
  X(Variable, kNoJump)         \
  X(Move, kNoJump)             \
  X(Copy, kNoJump)             \
  X(SCopy, kNoJump)            \
  X(IntCopy, kNoJump)          \
  X(ResultRow, kNoJump)        \
  /* arithmetic and logic */   \
  X(Add, kNoJump)              \
  X(Subtract, kNoJump)         \
  X(Multiply, kNoJump)         \
  X(Divide, kNoJump)           \
  X(Remainder, kNoJump)        \
  X(Concat, kNoJump)           \
  X(BitAnd, kNoJump)           \
  X(BitOr, kNoJump)            \
  X(ShiftLeft, kNoJump)        \
  X(ShiftRight, kNoJump)       \
  X(AddImm, kNoJump)           \
  X(MustBeInt, kJumpP2)        \
  X(RealAffinity, kNoJump)     \
  X(Cast, kNoJump)             \
  X(Affinity, kNoJump)         \
  X(TypeCheck, kNoJump)        \
  X(Not, kNoJump)              \
  X(BitNot, kNoJump)           \
  X(And, kNoJump)              \
  X(Or, kNoJump)               \
  X(IsTrue, kNoJump)           \
  X(Eq, kJumpP2)               \
  X(Ne, kJumpP2)               \
  X(Lt, kJumpP2)               \
  X(Le, kJumpP2)               \
  X(Gt, kJumpP2)               \
  X(Ge, kJumpP2)               \
  X(ElseEq, kJumpP2)           \
  X(Permutation, kNoJump)      \
  X(ZeroOrNull, kNoJump)       \
  X(Compare, kNoJump)          \
  X(Jump3, kJumpP2)            \
  X(MemMax, kNoJump)           \
  X(OffsetLimit, kNoJump)      \
  /* functions */              \
  X(Function, kNoJump)         \
  X(PureFunc, kNoJump)         \
  X(AggStep, kNoJump)          \
  X(AggInverse, kNoJump)       \
  X(AggValue, kNoJump)         \
  X(AggFinal, kNoJump)         \
  X(CollSeq, kNoJump)          \
  /* cursors */                \
  X(OpenRead, kNoJump)         \
  X(OpenWrite, kNoJump)        \
  X(OpenEphemeral, kNoJump)    \
  X(OpenAutoindex, kNoJump)    \
  X(OpenPseudo, kNoJump)       \
  X(OpenDup, kNoJump)          \
  X(Close, kNoJump)            \
  X(NullRow, kNoJump)          \
  X(Rewind, kJumpP2)           \
  X(Last, kJumpP2)             \
  X(Next, kJumpP2)             \
  X(Prev, kJumpP2)             \
  X(SeekRowid, kJumpP2)        \
  X(NotExists, kJumpP2)        \
  X(SeekGE, kJumpP2)           \
  X(SeekGT, kJumpP2)           \
  X(SeekLE, kJumpP2)           \
  X(SeekLT, kJumpP2)           \
  X(IdxGE, kJumpP2)            \
  X(IdxGT, kJumpP2)            \
  X(IdxLE, kJumpP2)            \
  X(IdxLT, kJumpP2)            \
  X(Found, kJumpP2)            \
  X(NotFound, kJumpP2)         \
  X(NoConflict, kJumpP2)       \
  X(IfNoHope, kJumpP2)         \
  X(DeferredSeek, kNoJump)     \
  X(IdxRowid, kNoJump)         \
  X(Column, kNoJump)           \
  X(Rowid, kNoJump)            \
  X(MakeRecord, kNoJump)       \
  X(NewRowid, kNoJump)         \
  X(Insert, kNoJump)           \
  X(Delete, kNoJump)           \
  X(IdxInsert, kNoJump)        \
  X(IdxDelete, kNoJump)        \
  X(Count, kNoJump)            \
  X(Sequence, kNoJump)         \
  X(ResetCount, kNoJump)       \
  X(SorterOpen, kNoJump)       \
  X(SorterInsert, kNoJump)     \
  X(SorterSort, kJumpP2)       \
  X(SorterNext, kJumpP2)       \
  X(SorterData, kNoJump)       \
  X(SorterCompare, kJumpP2)    \
  X(RowData, kNoJump)          \
  /* sets (IN, DISTINCT helpers) */ \
  X(RowSetAdd, kNoJump)        \
  X(RowSetRead, kJumpP2)       \
  X(RowSetTest, kJumpP2)       \
  /* index-method scans */     \
  X(IdxMethodFilter, kJumpP2)  \
  X(IdxMethodNext, kJumpP2)    \
  X(IdxMethodRowid, kNoJump)   \
  /* top-N prescan (vm/topn_prescan.h) */ \
  X(TopNPrescan, kNoJump)      \
  /* transactions and schema */\
  X(Transaction, kNoJump)      \
  X(AutoCommit, kNoJump)       \
  X(Savepoint, kNoJump)        \
  X(ReadCookie, kNoJump)       \
  X(SetCookie, kNoJump)        \
  X(CreateBtree, kNoJump)      \
  X(Destroy, kNoJump)          \
  X(Clear, kNoJump)            \
  X(ParseSchema, kNoJump)      \
  X(DropTable, kNoJump)        \
  X(DropIndex, kNoJump)        \
  X(DropTrigger, kNoJump)      \
  X(IntegrityCk, kNoJump)      \
  X(Vacuum, kNoJump)           \
  X(LoadAnalysis, kNoJump)     \
  X(Expire, kNoJump)           \
  X(Program, kJumpP2)          \
  X(Param, kNoJump)            \
  X(FkCounter, kNoJump)        \
  X(FkIfZero, kJumpP2)         \
  X(Pragma, kJumpP2)           \
  X(VFilter, kJumpP2)          \
  X(VColumn, kNoJump)          \
  X(VNext, kJumpP2)            \
  X(VOpen, kNoJump)            \
  X(VUpdate, kNoJump)          \
  X(VCreate, kNoJump)          \
  X(VDestroy, kNoJump)         \
  X(VBegin, kNoJump)           \
  /* window functions */       \
  X(WindowAppend, kNoJump)     \
  X(WindowRun, kNoJump)        \
  X(WindowRewind, kJumpP2)     \
  X(WindowNext, kJumpP2)       \
  X(WindowColumn, kNoJump)     \
  X(WindowReset, kNoJump)

enum class Op : uint8_t {
#define KEEL_OP_ENUM(name, jump) name,
  KEEL_OPCODES(KEEL_OP_ENUM)
#undef KEEL_OP_ENUM
      kCount
};

// "Init", "Goto", ... as EXPLAIN prints them.
const char* opcode_name(Op op);
// Which operand of `op` is a jump target.
JumpIn opcode_jump(Op op);

}  // namespace keel::vm
