// SQLite result codes, as plain integers so they cross every boundary (C API,
// modules, kernel layers) unchanged. Values are SQLite 3.40's, byte for byte.
#pragma once

namespace keel::rc {

inline constexpr int kOk = 0;
inline constexpr int kError = 1;
inline constexpr int kInternal = 2;
inline constexpr int kPerm = 3;
inline constexpr int kAbort = 4;
inline constexpr int kBusy = 5;
inline constexpr int kLocked = 6;
inline constexpr int kNoMem = 7;
inline constexpr int kReadOnly = 8;
inline constexpr int kInterrupt = 9;
inline constexpr int kIoErr = 10;
inline constexpr int kCorrupt = 11;
inline constexpr int kNotFound = 12;
inline constexpr int kFull = 13;
inline constexpr int kCantOpen = 14;
inline constexpr int kProtocol = 15;
inline constexpr int kEmpty = 16;
inline constexpr int kSchema = 17;
inline constexpr int kTooBig = 18;
inline constexpr int kConstraint = 19;
inline constexpr int kMismatch = 20;
inline constexpr int kMisuse = 21;
inline constexpr int kNoLfs = 22;
inline constexpr int kAuth = 23;
inline constexpr int kFormat = 24;
inline constexpr int kRange = 25;
inline constexpr int kNotADb = 26;
inline constexpr int kNotice = 27;
inline constexpr int kWarning = 28;
inline constexpr int kRow = 100;
inline constexpr int kDone = 101;

// Extended codes: primary | (n << 8).
inline constexpr int kErrorMissingCollSeq = kError | (1 << 8);
inline constexpr int kErrorRetry = kError | (2 << 8);
inline constexpr int kErrorSnapshot = kError | (3 << 8);
inline constexpr int kIoErrRead = kIoErr | (1 << 8);
inline constexpr int kIoErrShortRead = kIoErr | (2 << 8);
inline constexpr int kIoErrWrite = kIoErr | (3 << 8);
inline constexpr int kIoErrFsync = kIoErr | (4 << 8);
inline constexpr int kIoErrDirFsync = kIoErr | (5 << 8);
inline constexpr int kIoErrTruncate = kIoErr | (6 << 8);
inline constexpr int kIoErrFstat = kIoErr | (7 << 8);
inline constexpr int kIoErrUnlock = kIoErr | (8 << 8);
inline constexpr int kIoErrRdLock = kIoErr | (9 << 8);
inline constexpr int kIoErrDelete = kIoErr | (10 << 8);
inline constexpr int kIoErrBlocked = kIoErr | (11 << 8);
inline constexpr int kIoErrNoMem = kIoErr | (12 << 8);
inline constexpr int kIoErrAccess = kIoErr | (13 << 8);
inline constexpr int kIoErrCheckReservedLock = kIoErr | (14 << 8);
inline constexpr int kIoErrLock = kIoErr | (15 << 8);
inline constexpr int kIoErrClose = kIoErr | (16 << 8);
inline constexpr int kIoErrDirClose = kIoErr | (17 << 8);
inline constexpr int kIoErrShmOpen = kIoErr | (18 << 8);
inline constexpr int kIoErrShmSize = kIoErr | (19 << 8);
inline constexpr int kIoErrShmLock = kIoErr | (20 << 8);
inline constexpr int kIoErrShmMap = kIoErr | (21 << 8);
inline constexpr int kIoErrSeek = kIoErr | (22 << 8);
inline constexpr int kIoErrDeleteNoEnt = kIoErr | (23 << 8);
inline constexpr int kIoErrMmap = kIoErr | (24 << 8);
inline constexpr int kIoErrGetTempPath = kIoErr | (25 << 8);
inline constexpr int kIoErrConvPath = kIoErr | (26 << 8);
inline constexpr int kIoErrAuth = kIoErr | (28 << 8);
inline constexpr int kIoErrBeginAtomic = kIoErr | (29 << 8);
inline constexpr int kIoErrCommitAtomic = kIoErr | (30 << 8);
inline constexpr int kIoErrRollbackAtomic = kIoErr | (31 << 8);
inline constexpr int kIoErrData = kIoErr | (32 << 8);
inline constexpr int kIoErrCorruptFs = kIoErr | (33 << 8);
inline constexpr int kLockedSharedCache = kLocked | (1 << 8);
inline constexpr int kLockedVtab = kLocked | (2 << 8);
inline constexpr int kBusyRecovery = kBusy | (1 << 8);
inline constexpr int kBusySnapshot = kBusy | (2 << 8);
inline constexpr int kBusyTimeout = kBusy | (3 << 8);
inline constexpr int kCantOpenNoTempDir = kCantOpen | (1 << 8);
inline constexpr int kCantOpenIsDir = kCantOpen | (2 << 8);
inline constexpr int kCantOpenFullPath = kCantOpen | (3 << 8);
inline constexpr int kCantOpenConvPath = kCantOpen | (4 << 8);
inline constexpr int kCantOpenSymlink = kCantOpen | (6 << 8);
inline constexpr int kCorruptVtab = kCorrupt | (1 << 8);
inline constexpr int kCorruptSequence = kCorrupt | (2 << 8);
inline constexpr int kCorruptIndex = kCorrupt | (3 << 8);
inline constexpr int kReadOnlyRecovery = kReadOnly | (1 << 8);
inline constexpr int kReadOnlyCantLock = kReadOnly | (2 << 8);
inline constexpr int kReadOnlyRollback = kReadOnly | (3 << 8);
inline constexpr int kReadOnlyDbMoved = kReadOnly | (4 << 8);
inline constexpr int kReadOnlyCantInit = kReadOnly | (5 << 8);
inline constexpr int kReadOnlyDirectory = kReadOnly | (6 << 8);
inline constexpr int kAbortRollback = kAbort | (2 << 8);
inline constexpr int kConstraintCheck = kConstraint | (1 << 8);
inline constexpr int kConstraintCommitHook = kConstraint | (2 << 8);
inline constexpr int kConstraintForeignKey = kConstraint | (3 << 8);
inline constexpr int kConstraintFunction = kConstraint | (4 << 8);
inline constexpr int kConstraintNotNull = kConstraint | (5 << 8);
inline constexpr int kConstraintPrimaryKey = kConstraint | (6 << 8);
inline constexpr int kConstraintTrigger = kConstraint | (7 << 8);
inline constexpr int kConstraintUnique = kConstraint | (8 << 8);
inline constexpr int kConstraintVtab = kConstraint | (9 << 8);
inline constexpr int kConstraintRowId = kConstraint | (10 << 8);
inline constexpr int kConstraintPinned = kConstraint | (11 << 8);
inline constexpr int kConstraintDataType = kConstraint | (12 << 8);
inline constexpr int kNoticeRecoverWal = kNotice | (1 << 8);
inline constexpr int kNoticeRecoverRollback = kNotice | (2 << 8);
inline constexpr int kWarningAutoIndex = kWarning | (1 << 8);
inline constexpr int kAuthUser = kAuth | (1 << 8);
inline constexpr int kOkLoadPermanently = kOk | (1 << 8);
inline constexpr int kOkSymlink = kOk | (2 << 8);

// The primary code of a (possibly extended) code.
constexpr int primary(int code) { return code & 0xff; }

// SQLite's sqlite3_errstr() text for a primary or extended code.
const char* errstr(int code);

}  // namespace keel::rc
