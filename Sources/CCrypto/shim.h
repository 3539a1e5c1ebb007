// OpenSSL's libcrypto (Debian libssl-dev): the EVP digest interface, which picks the CPU's SHA
// extensions by itself. latentsim uses SHA-256 only (generation manifests, model hashes).
#pragma once
#include <openssl/evp.h>
#include <openssl/err.h>
