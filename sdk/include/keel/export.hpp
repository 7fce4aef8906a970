// KEEL_API marks the classes and functions libkeel.so exports; everything
// else in the library is hidden.
#pragma once

#if defined(__GNUC__)
#define KEEL_API __attribute__((visibility("default")))
#else
#define KEEL_API
#endif
