#ifndef C_BENCH_CRYPTO_SHIM_H
#define C_BENCH_CRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#endif
