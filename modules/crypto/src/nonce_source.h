// Random nonces for page writes, without a system call per page.
//
// libsodium's randombytes_buf() asks the kernel (getrandom) on every call:
// ~0.75 µs here, as long as encrypting a whole 4 KiB page with AEGIS. The
// codec therefore draws nonces from a per-thread pool of 4 KiB filled by
// randombytes_buf() — one system call per ~128 nonces.
//
// Fork safety: a child process must never reuse nonces its parent also
// uses (the same key would then encrypt two pages under one nonce). A
// pthread_atfork child handler bumps a generation counter; a pool filled in
// another generation is discarded before use. (Processes created by a raw
// clone() without fork handlers, or VM snapshots, are not covered — the
// same caveat as any user-space random pool.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace keel::crypto {

// Writes n (<= 64) fresh random bytes.
void fill_nonce(uint8_t* out, size_t n);

}  // namespace keel::crypto
