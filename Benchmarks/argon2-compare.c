/* Argon2id per-hash time through Debian's libargon2 (the reference build authd used before
 * issue 18) and libsodium (what authd uses now), side by side in one process: same
 * parameters (m = 19456 KiB, t = 2, p = 1), same password, same 16-byte salt, 32-byte output.
 * Rounds alternate the two (and which goes first), so machine drift hits both alike; the
 * figures are medians over rounds. Built and run by Benchmarks/argon2-bound.sh. */
#include <argon2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define M_KIB 19456u
#define T_COST 2u
#define OUT 32

static const char password[] = "correct horse battery staple";
static const unsigned char salt[16] = "authd-bench-salt";

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void with_libargon2(unsigned char *out) {
    if (argon2id_hash_raw(T_COST, M_KIB, 1, password, strlen(password), salt, sizeof salt, out, OUT) != ARGON2_OK) {
        fprintf(stderr, "argon2id_hash_raw failed\n");
        exit(1);
    }
}

static void with_libsodium(unsigned char *out) {
    if (crypto_pwhash(out, OUT, password, strlen(password), salt, T_COST, (size_t)M_KIB * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        fprintf(stderr, "crypto_pwhash failed\n");
        exit(1);
    }
}

/* Milliseconds per hash over n hashes. */
static double run(void (*hash)(unsigned char *), int n) {
    unsigned char out[OUT];
    double start = now();
    for (int i = 0; i < n; i++) hash(out);
    return (now() - start) * 1000.0 / n;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    int per_round = argc > 2 ? atoi(argv[2]) : 8;
    int cores = argc > 3 ? atoi(argv[3]) : 1;
    if (rounds < 1 || rounds > 100 || per_round < 1 || cores < 1) {
        fprintf(stderr, "usage: argon2-compare [ROUNDS] [HASHES_PER_ROUND] [CORES]\n");
        return 2;
    }
    if (sodium_init() < 0) return 1;

    unsigned char a[OUT], b[OUT];
    with_libargon2(a);
    with_libsodium(b);
    if (memcmp(a, b, OUT) != 0) {
        fprintf(stderr, "the two implementations disagree\n");
        return 1;
    }
    printf("argon2id m=%u KiB t=%u p=1, %d-byte output: both implementations give the same hash\n", M_KIB, T_COST, OUT);
    printf("%d rounds x %d hashes each, alternated, one thread\n", rounds, per_round);

    double ref[100], sod[100];
    for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
            ref[r] = run(with_libargon2, per_round);
            sod[r] = run(with_libsodium, per_round);
        } else {
            sod[r] = run(with_libsodium, per_round);
            ref[r] = run(with_libargon2, per_round);
        }
        printf("  round %d: libargon2 %.1f ms, libsodium %.1f ms per hash\n", r + 1, ref[r], sod[r]);
    }
    double ref_ms = median(ref, rounds), sod_ms = median(sod, rounds);
    printf("libargon2 (reference):  %.1f ms per hash, %.1f hashes/s per core, bound %.1f logins/s on %d cores\n",
           ref_ms, 1000.0 / ref_ms, cores * 1000.0 / ref_ms, cores);
    printf("libsodium (%s):     %.1f ms per hash, %.1f hashes/s per core, bound %.1f logins/s on %d cores\n",
           sodium_version_string(), sod_ms, 1000.0 / sod_ms, cores * 1000.0 / sod_ms, cores);
    printf("libsodium / libargon2: %.2fx hashes per second\n", ref_ms / sod_ms);
    return 0;
}
