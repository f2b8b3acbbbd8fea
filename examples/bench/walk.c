/*
 * The benchmark's C host: walks every connection through the C ABI, the way a C program would
 * (each item's JSON borrowed from the list with fivetrex_list_next_borrowed: no copy, no free), and
 * prints the same RESULT line as the Rust walks.
 *
 *   walk <base_url> <expected_items>
 *
 * Built and run by examples/bench (c_host.rs) when the `ffi` feature is on and include/fivetrex.h
 * declares fivetrex_connection_list.
 */
#include "fivetrex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static unsigned long long peak_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtoull(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kb;
}

static int fail(const char *what, fivetrex_status status, fivetrex_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, fivetrex_status_name(status), fivetrex_error_message(err));
    fivetrex_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <base_url> <expected_items>\n", argv[0]);
        return 2;
    }
    unsigned long long expected = strtoull(argv[2], NULL, 10);
    unsigned long long t0 = ns(CLOCK_MONOTONIC), c0 = ns(CLOCK_PROCESS_CPUTIME_ID);

    fivetrex_client *client = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_client_new("bench_key", "bench_secret", argv[1], NULL, &client, &err);
    if (st != FIVETREX_STATUS_OK) {
        return fail("fivetrex_client_new", st, err);
    }
    fivetrex_list *list = NULL;
    st = fivetrex_connection_list(client, NULL, NULL, &list, &err);
    if (st != FIVETREX_STATUS_OK) {
        return fail("fivetrex_connection_list", st, err);
    }
    unsigned long long items = 0, checksum = 0;
    const char *json = NULL;
    size_t len = 0;
    while ((st = fivetrex_list_next_borrowed(list, &json, &len, &err)) == FIVETREX_STATUS_OK) {
        items++;
        checksum += len + (unsigned char)json[0];
    }
    fivetrex_list_free(list);
    fivetrex_client_free(client);
    if (st != FIVETREX_STATUS_DONE) {
        return fail("fivetrex_list_next_borrowed", st, err);
    }
    unsigned long long wall = ns(CLOCK_MONOTONIC) - t0, cpu = ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (items != expected) {
        fprintf(stderr, "walked %llu items, expected %llu (checksum %llu)\n", items, expected, checksum);
        return 1;
    }
    printf("RESULT items=%llu wall_ns=%llu cpu_ns=%llu peak_rss_kb=%llu bare_wall_ns=0 bare_cpu_ns=0\n", items, wall,
           cpu, peak_rss_kb());
    return 0;
}
