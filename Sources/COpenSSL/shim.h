#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/ec.h>
#include <openssl/bn.h>

/* EVP_PKEY_KEYPAIR is a compound macro Swift cannot import. */
static const int authd_EVP_PKEY_KEYPAIR = EVP_PKEY_KEYPAIR;
