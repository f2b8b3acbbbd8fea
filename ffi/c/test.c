/*
 * The C host test: drives libfivetrex through its header the way a C program would, against the
 * project's emulator (seeded with 5 groups of 10 connections; see tests/c_host.rs), and checks
 * what comes back. Faults and connection states are set through the emulator's control endpoints
 * with the library's own generic call. Run under valgrind (see the Makefile's `check` target):
 * every handle and string is freed.
 *
 *   FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=... test <base_url>   (or FIVETREX_TEST_URL)
 *
 * Exit status 0 when every check passed; the last line is "C host: N passed, M failed".
 */
#include "fivetrex.h"

/* Test-only entry point, in the library but not in the header. */
enum fivetrex_status fivetrex_test_panic(struct fivetrex_error **err);

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define GROUPS 5
#define CONNECTIONS_PER_GROUP 10

static int passed, failed;
static const char *base_url;
static char key[128], secret[128];

static void check(int ok, const char *what, const char *detail) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

#define CHECK(cond, what) check((cond) ? 1 : 0, what, #cond)

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* Checks a status and, on a mismatch, prints the error's message. Frees `err`. */
static void expect(fivetrex_status got, fivetrex_status want, fivetrex_error *err, const char *what) {
    char detail[512];
    snprintf(detail, sizeof detail, "got %s, want %s (%s)", fivetrex_status_name(got), fivetrex_status_name(want),
             fivetrex_error_message(err));
    check(got == want, what, got == want ? NULL : detail);
    fivetrex_error_free(err);
}

/* Copies the first string value of "key" in `json` (compact JSON, as the library writes it). */
/* The JSON object under "name" (no nested objects), copied whole. */
static void json_obj(const char *json, const char *name, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":{", name);
    const char *start = json ? strstr(json, pattern) : NULL;
    out[0] = '\0';
    if (start) {
        start += strlen(pattern) - 1;
        size_t len = strcspn(start, "}") + 1;
        if (len >= size) {
            len = size - 1;
        }
        memcpy(out, start, len);
        out[len] = '\0';
    }
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct canceller {
    fivetrex_cancel_token *token;
    int after_ms;
    double cancelled_at;
};

static void *cancel_later(void *arg) {
    struct canceller *c = arg;
    struct timespec d = {c->after_ms / 1000, (long)(c->after_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    c->cancelled_at = now_ms();
    fivetrex_cancel_token_cancel(c->token);
    return NULL;
}

static void json_str(const char *json, const char *name, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
    const char *start = json ? strstr(json, pattern) : NULL;
    out[0] = '\0';
    if (start) {
        start += strlen(pattern);
        size_t len = strcspn(start, "\"");
        if (len >= size) {
            len = size - 1;
        }
        memcpy(out, start, len);
        out[len] = '\0';
    }
}

/* The first integer value of "key" in `json`, or -1. */
static long json_int(const char *json, const char *name) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    const char *start = json ? strstr(json, pattern) : NULL;
    return start ? strtol(start + strlen(pattern), NULL, 10) : -1;
}

static fivetrex_client *new_client(const fivetrex_client_options *options) {
    fivetrex_client *client = NULL;
    fivetrex_error *err = NULL;
    if (fivetrex_client_new(key, secret, base_url, options, &client, &err) != FIVETREX_STATUS_OK) {
        printf("cannot create a client: %s\n", fivetrex_error_message(err));
        fivetrex_error_free(err);
        exit(2);
    }
    return client;
}

/* Tells the emulator something through its control endpoints (POST /__emulator/...). */
static void control(fivetrex_client *client, const char *path, const char *body) {
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_raw_call(client, "POST", path, NULL, body, NULL, &err);
    if (st != FIVETREX_STATUS_OK) {
        printf("control %s failed: %s\n", path, fivetrex_error_message(err));
        failed++;
    }
    fivetrex_error_free(err);
}

#define MAX_IDS 64
struct ids {
    int n;
    char id[MAX_IDS][64];
};

/* Walks a list to its end, keeping the ids; returns the number of items or -1 on an error. Every
 * item must contain `must_hold` when it is not NULL. */
static int walk(fivetrex_list *list, const char *must_hold, struct ids *ids) {
    int n = 0;
    for (;;) {
        char *item = NULL;
        fivetrex_error *err = NULL;
        fivetrex_status st = fivetrex_list_next(list, &item, &err);
        if (st == FIVETREX_STATUS_DONE) {
            CHECK(item == NULL && err == NULL, "DONE leaves the outputs NULL");
            return n;
        }
        if (st != FIVETREX_STATUS_OK) {
            printf("walk failed: %s\n", fivetrex_error_message(err));
            fivetrex_error_free(err);
            return -1;
        }
        if (must_hold && !contains(item, must_hold)) {
            printf("item without %s: %.200s\n", must_hold, item);
            n = -1000;
        }
        if (ids && ids->n < MAX_IDS) {
            json_str(item, "id", ids->id[ids->n], sizeof ids->id[0]);
            ids->n++;
        }
        fivetrex_string_free(item);
        n++;
    }
}

static int same_ids(const struct ids *a, const struct ids *b) {
    if (a->n != b->n) {
        return 0;
    }
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->id[i], b->id[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

static struct ids groups;      /* every group, in order */
static struct ids connections; /* the connections of the first group, in order */

static void test_basics(void) {
    const char *v = fivetrex_version();
    CHECK(v != NULL && strlen(v) > 0 && strchr(v, '.') != NULL, "fivetrex_version is a version");
    CHECK(strcmp(fivetrex_status_name(FIVETREX_STATUS_NOT_FOUND), "NOT_FOUND") == 0, "status names");
    CHECK(strcmp(fivetrex_status_name(12345), "UNKNOWN") == 0, "unknown status name");
}

static void test_construction(void) {
    fivetrex_client *client = (fivetrex_client *)0x1;
    fivetrex_error *err = NULL;

    fivetrex_status st = fivetrex_client_new(NULL, secret, base_url, NULL, &client, &err);
    CHECK(client == NULL, "a failed constructor leaves *out_client NULL");
    CHECK(contains(fivetrex_error_message(err), "api_key"), "the NULL argument is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL key");

    st = fivetrex_client_new("", secret, base_url, NULL, &client, &err);
    CHECK(contains(fivetrex_error_message(err), "API key"), "empty key message");
    expect(st, FIVETREX_STATUS_CONFIG, err, "empty key is a configuration error");

    st = fivetrex_client_new(key, secret, "http://example.com", NULL, &client, &err);
    CHECK(!contains(fivetrex_error_message(err), secret), "errors never hold the secret");
    expect(st, FIVETREX_STATUS_CONFIG, err, "plain http to a remote host is refused");

    st = fivetrex_client_new(key, secret, base_url, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_client");

    /* A wrong secret is the server's 401, not a crash or a configuration error. */
    st = fivetrex_client_new(key, "wrong-secret", base_url, NULL, &client, &err);
    expect(st, FIVETREX_STATUS_OK, err, "client with a wrong secret");
    char *json = NULL;
    st = fivetrex_raw_call(client, "GET", "/v1/groups", NULL, NULL, &json, &err);
    CHECK(fivetrex_error_http_status(err) == 401, "401 HTTP status");
    expect(st, FIVETREX_STATUS_UNAUTHORIZED, err, "a wrong secret is UNAUTHORIZED");
    fivetrex_client_free(client);

    setenv("FIVETRAN_BASE_URL", base_url, 1);
    st = fivetrex_client_from_env(NULL, &client, &err);
    expect(st, FIVETREX_STATUS_OK, err, "client from the environment");
    st = fivetrex_raw_call(client, "GET", "/v1/groups", "{\"limit\":1}", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "the client from the environment works");
    fivetrex_string_free(json);
    fivetrex_client_free(client);

    unsetenv("FIVETRAN_API_SECRET");
    st = fivetrex_client_from_env(NULL, &client, &err);
    CHECK(client == NULL, "no client without a secret");
    expect(st, FIVETREX_STATUS_CONFIG, err, "missing secret in the environment");
    setenv("FIVETRAN_API_SECRET", secret, 1);
    unsetenv("FIVETRAN_BASE_URL");
}

static void test_groups(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_raw_call(client, "GET", "/__emulator/stats", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "emulator stats");
    CHECK(json_int(json, "groups") == GROUPS, "the emulator holds the seeded groups");
    fivetrex_string_free(json);

    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    st = fivetrex_group_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_list");
    CHECK(walk(list, "\"created_at\":\"", &groups) == GROUPS, "every group over three pages of two");
    char *item = NULL;
    st = fivetrex_list_next(list, &item, NULL);
    CHECK(st == FIVETREX_STATUS_DONE && item == NULL, "a finished list stays DONE");
    fivetrex_list_free(list);

    /* Borrowed items: the same bytes as the owned ones, without a copy; mixing the two is fine. */
    fivetrex_list *owned = NULL;
    st = fivetrex_group_list(client, &opts, &owned, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_list for owned items");
    st = fivetrex_group_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_list for borrowed items");
    int borrowed = 0, same = 1;
    const char *lent = NULL;
    size_t len = 0;
    for (;;) {
        char *copy = NULL;
        fivetrex_status sto = fivetrex_list_next(owned, &copy, &err);
        same &= (sto == FIVETREX_STATUS_OK || sto == FIVETREX_STATUS_DONE);
        fivetrex_error_free(err);
        if (borrowed % 2 == 1) {
            /* Every other item the owned way, to check that mixing keeps the walk in step. */
            char *mixed = NULL;
            st = fivetrex_list_next(list, &mixed, &err);
            same &= (st == sto) && (st != FIVETREX_STATUS_OK || strcmp(mixed, copy) == 0);
            fivetrex_string_free(mixed);
        } else {
            st = fivetrex_list_next_borrowed(list, &lent, &len, &err);
            same &= (st == sto);
            if (st == FIVETREX_STATUS_OK && sto == FIVETREX_STATUS_OK) {
                same &= len == strlen(copy) && memcmp(lent, copy, len) == 0 && lent[len] == '\0';
            }
        }
        fivetrex_string_free(copy);
        fivetrex_error_free(err);
        if (st != FIVETREX_STATUS_OK) {
            break;
        }
        borrowed++;
    }
    CHECK(same, "borrowed items hold the same JSON as owned ones, NUL-terminated, len = strlen");
    CHECK(borrowed == GROUPS, "the borrowed walk sees every group");
    lent = "stale";
    len = 7;
    st = fivetrex_list_next_borrowed(list, &lent, &len, &err);
    CHECK(st == FIVETREX_STATUS_DONE && lent == NULL && len == 0 && err == NULL, "DONE leaves NULL and 0");
    st = fivetrex_list_next_borrowed(list, &lent, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_len");
    st = fivetrex_list_next_borrowed(list, NULL, &len, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_json");
    st = fivetrex_list_next_borrowed(NULL, &lent, &len, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL list for a borrowed item");
    CHECK(lent == NULL && len == 0, "a failed borrowed next leaves NULL and 0");
    fivetrex_list_free(owned);
    fivetrex_list_free(list);

    /* Page by page, then resuming from a page's cursor as the Elixir wrapper does. */
    st = fivetrex_group_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_list for pages");
    char *page = NULL;
    int pages = 0;
    char cursor[256] = "";
    while ((st = fivetrex_list_next_page(list, &page, &err)) == FIVETREX_STATUS_OK) {
        pages++;
        CHECK(contains(page, "{\"items\":[{\"id\":\""), "a page is {\"items\":[...]...}");
        if (pages == 1) {
            CHECK(contains(page, groups.id[0]) && contains(page, groups.id[1]), "page 1 holds groups 1 and 2");
            json_str(page, "next_cursor", cursor, sizeof cursor);
        }
        if (pages == 3) {
            CHECK(contains(page, "\"next_cursor\":null}"), "the last page has no cursor");
        }
        fivetrex_string_free(page);
    }
    expect(st, FIVETREX_STATUS_DONE, err, "pages end with DONE");
    CHECK(pages == 3, "three pages");
    fivetrex_list_free(list);
    CHECK(cursor[0] != '\0', "page 1 gives a cursor");
    opts.cursor = cursor;
    st = fivetrex_group_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_list from a cursor");
    struct ids rest = {0};
    CHECK(walk(list, NULL, &rest) == GROUPS - 2, "resuming skips the first page");
    CHECK(rest.n > 0 && strcmp(rest.id[0], groups.id[2]) == 0, "resuming starts at group 3");
    fivetrex_list_free(list);
    opts.cursor = NULL;

    /* The generic list: the API's items as sent, same order. */
    st = fivetrex_raw_list(client, "/v1/groups", NULL, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_raw_list");
    struct ids raw = {0};
    CHECK(walk(list, "\"name\":\"", &raw) == GROUPS, "raw list walks every group");
    CHECK(same_ids(&raw, &groups), "raw items in the same order");
    fivetrex_list_free(list);

    st = fivetrex_group_get(client, groups.id[0], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "get a group");
    char id[64];
    json_str(json, "id", id, sizeof id);
    CHECK(strcmp(id, groups.id[0]) == 0, "the group asked for");
    fivetrex_string_free(json);
}

static void test_group_lifecycle(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_create(client, "c_host_fresh", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "create a group");
    char id[64];
    json_str(json, "id", id, sizeof id);
    CHECK(id[0] != '\0' && contains(json, "\"name\":\"c_host_fresh\""), "the created group");
    fivetrex_string_free(json);

    st = fivetrex_group_create(client, "c_host_fresh", &json, &err);
    CHECK(fivetrex_error_http_status(err) == 409, "duplicate name: 409");
    expect(st, FIVETREX_STATUS_CONFLICT, err, "a duplicate group name is CONFLICT");

    st = fivetrex_group_update(client, id, "c_host_renamed", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "rename a group");
    CHECK(contains(json, "\"name\":\"c_host_renamed\""), "the renamed group");
    fivetrex_string_free(json);
    st = fivetrex_group_get(client, id, &json, &err);
    CHECK(contains(json, "\"name\":\"c_host_renamed\""), "the new name is stored");
    expect(st, FIVETREX_STATUS_OK, err, "get the renamed group");
    fivetrex_string_free(json);

    st = fivetrex_group_delete(client, id, groups.id[0], &json, &err);
    CHECK(json == NULL, "no answer without confirmation");
    CHECK(contains(fivetrex_error_message(err), id), "the confirmation error names the group");
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "delete needs the matching confirmation");
    st = fivetrex_group_delete(client, id, id, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "delete a group");
    CHECK(contains(json, "\"code\":\"Success\""), "the delete answer");
    fivetrex_string_free(json);
    st = fivetrex_group_get(client, id, &json, &err);
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "the deleted group is gone");
}

static void test_connections(fivetrex_client *client) {
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 4;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    char must[96];
    snprintf(must, sizeof must, "\"group_id\":\"%s\"", groups.id[0]);
    fivetrex_status st = fivetrex_connection_list(client, groups.id[0], &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_connection_list");
    CHECK(walk(list, must, &connections) == CONNECTIONS_PER_GROUP, "a group's connections over three pages");
    fivetrex_list_free(list);

    opts.page_size = 20;
    st = fivetrex_connection_list(client, NULL, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_connection_list");
    CHECK(walk(list, "\"status\":{", NULL) == GROUPS * CONNECTIONS_PER_GROUP, "every connection over three pages");
    fivetrex_list_free(list);

    char *json = NULL;
    st = fivetrex_connection_get(client, connections.id[7], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "get a connection");
    CHECK(contains(json, "\"paused\":true"), "the seeded connection 8 is paused");
    fivetrex_string_free(json);
    st = fivetrex_connection_get(client, connections.id[9], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "get another connection");
    CHECK(contains(json, "\"setup_state\":\"broken\""), "the seeded connection 10 is broken");
    fivetrex_string_free(json);
}

/* A connection list as rows of typed cells, page by page: every row's id and group are texts
 * that match its raw JSON, the seeded paused and broken connections read as such, and the
 * pointers stay valid until the next call (valgrind checks the reads). */
static void test_rows(fivetrex_client *client) {
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 4;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_list(client, groups.id[0], &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_connection_list for rows");
    char *names = NULL;
    st = fivetrex_list_columns(list, &names, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_list_columns");
    CHECK(strncmp(names, "[\"raw\",\"id\",\"group_id\"", 22) == 0, names);
    fivetrex_string_free(names);
    /* Column positions as fivetrex_list_columns names them. */
    enum { RAW = 0, ID = 1, GROUP_ID = 2, PAUSED = 5, SETUP_STATE = 11 };
    fivetrex_rows rows = {.struct_size = sizeof(fivetrex_rows)};
    size_t pages = 0, seen = 0, paused = 0, broken = 0;
    while ((st = fivetrex_list_next_rows(list, &rows, &err)) == FIVETREX_STATUS_OK) {
        pages++;
        for (size_t r = 0; r < rows.rows; r++) {
            const fivetrex_cell *row = rows.cells + r * rows.columns;
            char id[64] = {0}, raw_id[80], group[64] = {0};
            CHECK(row[RAW].kind == FIVETREX_CELL_JSON && row[ID].kind == FIVETREX_CELL_TEXT, "raw and id kinds");
            memcpy(id, rows.text + row[ID].value, row[ID].len < 63 ? row[ID].len : 63);
            memcpy(group, rows.text + row[GROUP_ID].value, row[GROUP_ID].len < 63 ? row[GROUP_ID].len : 63);
            snprintf(raw_id, sizeof raw_id, "\"id\":\"%s\"", id);
            char *raw = strndup(rows.json + row[RAW].value, row[RAW].len);
            CHECK(raw[0] == '{' && contains(raw, raw_id), "the raw JSON is the row's item");
            free(raw);
            CHECK(strcmp(group, groups.id[0]) == 0, "the row's group");
            CHECK(row[PAUSED].kind == FIVETREX_CELL_BOOLEAN, "paused is a flag");
            paused += row[PAUSED].value != 0;
            if (row[SETUP_STATE].kind == FIVETREX_CELL_TEXT && row[SETUP_STATE].len == 6 &&
                memcmp(rows.text + row[SETUP_STATE].value, "broken", 6) == 0)
                broken++;
            seen++;
        }
        CHECK((rows.next_cursor == NULL) == (seen == CONNECTIONS_PER_GROUP), "a next cursor until the last page");
    }
    expect(st, FIVETREX_STATUS_DONE, err, "rows to the end");
    CHECK(seen == CONNECTIONS_PER_GROUP && pages == 3, "a group's connections as rows over three pages");
    CHECK(paused == 1 && broken == 1, "the seeded paused and broken connections read from their cells");
    rows.struct_size = 8;
    st = fivetrex_list_next_rows(list, &rows, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "a rows struct with a wrong struct_size");
    fivetrex_list_free(list);
}

/* A field the API adds tomorrow reaches C, and the item carries nothing the API did not send. */
static void test_unknown_fields(fivetrex_client *client) {
    char path[128];
    snprintf(path, sizeof path, "/__emulator/connections/%s", connections.id[6]);
    control(client, path, "{\"extra_fields\":{\"added_tomorrow\":{\"list\":[1,\"x\",null],\"n\":12.5}}}");
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 3;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_list(client, groups.id[0], &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "list the connections again");
    int seen = 0, invented = 0, n = 0;
    const char *item = NULL;
    size_t len = 0;
    while (fivetrex_list_next_borrowed(list, &item, &len, &err) == FIVETREX_STATUS_OK) {
        n++;
        if (contains(item, connections.id[6]))
            seen += contains(item, "\"added_tomorrow\":{\"list\":[1,\"x\",null],\"n\":12.5}");
        /* The emulator never sends these; the model has them. */
        invented += contains(item, "\"proxy_agent_id\"") || contains(item, "\"connect_card\"");
    }
    fivetrex_error_free(err);
    fivetrex_list_free(list);
    CHECK(n == CONNECTIONS_PER_GROUP && seen == 1, "the unknown field reached C as sent");
    CHECK(invented == 0, "no field the API did not send");
    char *json = NULL;
    st = fivetrex_connection_get(client, connections.id[6], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "get the connection with the unknown field");
    CHECK(contains(json, "\"added_tomorrow\":{\"list\":[1,\"x\",null],\"n\":12.5}") &&
              !contains(json, "\"proxy_agent_id\""),
          "one connection as sent");
    fivetrex_string_free(json);
}

static void test_connection_lifecycle(fivetrex_client *client) {
    char body[512];
    snprintf(body, sizeof body,
             "{\"group_id\":\"%s\",\"service\":\"postgres\",\"paused\":true,"
             "\"config\":{\"schema\":\"c_host_pg\",\"host\":\"db.internal\",\"password\":\"pg-secret\"}}",
             groups.id[1]);
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_create(client, body, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "create a connection");
    char id[64];
    json_str(json, "id", id, sizeof id);
    CHECK(id[0] != '\0' && contains(json, "\"schema\":\"c_host_pg\""), "the created connection");
    CHECK(!contains(json, "pg-secret"), "the API masks the password");
    fivetrex_string_free(json);

    st = fivetrex_connection_create(client, "{\"service\":\"postgres\"}", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "group_id"), "the missing field is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "a create without group_id is refused before sending");

    st = fivetrex_connection_update(client, id, "{\"sync_frequency\":60,\"paused\":false}", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "update a connection");
    CHECK(contains(json, "\"sync_frequency\":60") && contains(json, "\"paused\":false"), "the updated fields");
    fivetrex_string_free(json);

    st = fivetrex_connection_delete(client, id, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a delete without its confirmation sends nothing");
    st = fivetrex_connection_delete(client, id, "another", &json, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a delete with another id's confirmation");
    st = fivetrex_connection_delete(client, id, id, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "delete a connection");
    CHECK(contains(json, "\"code\":\"Success\""), "the delete answer");
    fivetrex_string_free(json);
    st = fivetrex_connection_get(client, id, &json, &err);
    CHECK(contains(fivetrex_error_api_code(err), "NotFound"), "NotFound_... code");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "the deleted connection is gone");
}

static void test_destinations(fivetrex_client *client) {
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_destination_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_destination_list");
    struct ids destinations = {0};
    CHECK(walk(list, "\"service\":\"", &destinations) == GROUPS, "one destination per group, three pages");
    fivetrex_list_free(list);

    char *json = NULL;
    st = fivetrex_destination_get(client, destinations.id[0], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "get a destination");
    fivetrex_string_free(json);

    /* A new group for a new destination (a group has at most one). */
    st = fivetrex_group_create(client, "c_host_dest_group", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "group for a destination");
    char group[64];
    json_str(json, "id", group, sizeof group);
    fivetrex_string_free(json);

    char body[512];
    snprintf(body, sizeof body,
             "{\"group_id\":\"%s\",\"service\":\"snowflake\",\"time_zone_offset\":\"0\","
             "\"config\":{\"host\":\"acme.snowflakecomputing.com\",\"password\":\"sf-secret\"}}",
             group);
    st = fivetrex_destination_create(client, body, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "create a destination");
    char id[64];
    json_str(json, "id", id, sizeof id);
    CHECK(id[0] != '\0' && !contains(json, "sf-secret"), "the created destination, password masked");
    fivetrex_string_free(json);

    st = fivetrex_destination_create(client, body, &json, &err);
    expect(st, FIVETREX_STATUS_CONFLICT, err, "a second destination for the group is CONFLICT");

    st = fivetrex_destination_update(client, id, "{\"time_zone_offset\":\"+3\"}", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "update a destination");
    CHECK(contains(json, "\"time_zone_offset\":\"+3\""), "the updated destination");
    fivetrex_string_free(json);

    st = fivetrex_destination_delete(client, id, "someone_else", NULL, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "destination delete needs confirmation");
    st = fivetrex_destination_delete(client, id, id, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "delete a destination");
    st = fivetrex_destination_get(client, id, &json, &err);
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "the deleted destination is gone");
    st = fivetrex_group_delete(client, group, group, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "delete the destination's group");
}

static void test_errors(fivetrex_client *client) {
    char *json = (char *)0x1;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_get(client, "missing", &json, &err);
    CHECK(json == NULL, "a failed call leaves *out_json NULL");
    CHECK(fivetrex_error_status(err) == FIVETREX_STATUS_NOT_FOUND, "404 error status");
    CHECK(fivetrex_error_http_status(err) == 404, "404 HTTP status");
    CHECK(fivetrex_error_api_code(err) && strcmp(fivetrex_error_api_code(err), "NotFound_Group") == 0, "404 code");
    CHECK(contains(fivetrex_error_api_message(err), "missing"), "404 API message names the id");
    CHECK(contains(fivetrex_error_message(err), "not found"), "404 message");
    CHECK(fivetrex_error_retry_after_ms(err) == -1, "no retry-after on a 404");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "404 is NOT_FOUND");

    /* One 429 asking for an hour: over the default 60 s cap, so it comes back at once. A client
       of its own, because the pause is remembered for the client. */
    fivetrex_client *paused = new_client(NULL);
    control(client, "/__emulator/faults",
            "{\"method\":\"GET\",\"path\":\"/v1/groups/*\",\"kind\":\"status\",\"status\":429,"
            "\"retry_after\":\"3600\",\"times\":1}");
    st = fivetrex_group_get(paused, groups.id[0], &json, &err);
    CHECK(fivetrex_error_http_status(err) == 429, "429 HTTP status");
    CHECK(fivetrex_error_retry_after_ms(err) == 3600000, "Retry-After: 3600 is 3600000 ms");
    CHECK(fivetrex_error_api_code(err) && strcmp(fivetrex_error_api_code(err), "TooManyRequests") == 0, "429 code");
    expect(st, FIVETREX_STATUS_RATE_LIMITED, err, "429 over the cap is RATE_LIMITED");
    st = fivetrex_group_get(paused, groups.id[0], &json, &err);
    CHECK(fivetrex_error_retry_after_ms(err) > 3500000, "the remaining pause");
    expect(st, FIVETREX_STATUS_RATE_LIMITED, err, "inside the remembered pause a call fails at once");
    fivetrex_client_free(paused);
    st = fivetrex_group_get(client, groups.id[0], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "another client is not paused");
    fivetrex_string_free(json);

    st = fivetrex_group_get(client, "missing", &json, NULL);
    CHECK(st == FIVETREX_STATUS_NOT_FOUND && json == NULL, "a NULL err still gets the status");

    CHECK(fivetrex_error_status(NULL) == FIVETREX_STATUS_OK, "getters accept NULL");
    CHECK(fivetrex_error_http_status(NULL) == 0 && fivetrex_error_retry_after_ms(NULL) == -1, "NULL defaults");
    CHECK(strcmp(fivetrex_error_message(NULL), "") == 0 && fivetrex_error_api_code(NULL) == NULL, "NULL strings");
}

static atomic_int retries;
static atomic_int retry_bad;

static void on_retry(uint32_t attempt, uint64_t delay_ms, fivetrex_status status, void *userdata) {
    int n = atomic_fetch_add(&retries, 1) + 1;
    if ((int)attempt != n || status != FIVETREX_STATUS_SERVER || delay_ms > 50 || userdata != &retries) {
        atomic_fetch_add(&retry_bad, 1);
    }
}

static void test_retry_callback(void) {
    fivetrex_client_options opts = {.struct_size = sizeof(fivetrex_client_options)};
    opts.retry_base_delay_ms = 1;
    opts.on_retry = on_retry;
    opts.on_retry_userdata = &retries;
    opts.user_agent = "fivetrex-c-test";
    fivetrex_client *client = new_client(&opts);
    control(client, "/__emulator/faults",
            "{\"method\":\"GET\",\"path\":\"/v1/groups/*\",\"kind\":\"html\",\"status\":503,\"times\":2}");
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_get(client, groups.id[0], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "two 503 HTML pages, then the group");
    CHECK(contains(json, groups.id[0]), "the answer after retries");
    CHECK(atomic_load(&retries) == 2, "the retry callback ran twice");
    CHECK(atomic_load(&retry_bad) == 0, "retry callback arguments (attempt, status, delay, userdata)");
    fivetrex_string_free(json);

    /* With retries off, the 503 comes back with its status. */
    fivetrex_client_options none = {.struct_size = sizeof(fivetrex_client_options)};
    none.max_attempts = 1;
    fivetrex_client *once = new_client(&none);
    control(client, "/__emulator/faults", "{\"path\":\"/v1/groups/*\",\"kind\":\"html\",\"status\":503,\"times\":1}");
    st = fivetrex_group_get(once, groups.id[0], &json, &err);
    CHECK(fivetrex_error_http_status(err) == 503 && fivetrex_error_api_code(err) == NULL, "HTML 503: status, no code");
    expect(st, FIVETREX_STATUS_SERVER, err, "a 503 is SERVER");
    fivetrex_client_free(once);
    fivetrex_client_free(client);
}

static void test_generic_call(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    char query[160];
    snprintf(query, sizeof query, "{\"group_id\":\"%s\",\"limit\":3,\"unused\":null}", groups.id[0]);
    fivetrex_status st = fivetrex_raw_call(client, "get", "/v1/connections", query, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic GET with a query");
    CHECK(contains(json, "\"code\":\"Success\"") && contains(json, "\"next_cursor\":\""), "the whole answer");
    CHECK(contains(json, connections.id[2]) && !contains(json, connections.id[3]), "limit 3 and the group filter");
    fivetrex_string_free(json);

    st = fivetrex_raw_call(client, "POST", "/v1/groups", NULL, "{\"name\":\"c_host_generic\"}", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic POST with a body");
    char id[64], path[128];
    json_str(json, "id", id, sizeof id);
    CHECK(id[0] != '\0', "the generic create answer");
    fivetrex_string_free(json);
    snprintf(path, sizeof path, "/v1/groups/%s", id);
    st = fivetrex_raw_call(client, "DELETE", path, NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic DELETE, answer discarded");
    st = fivetrex_raw_call(client, "GET", path, NULL, NULL, &json, &err);
    CHECK(fivetrex_error_http_status(err) == 404, "generic call errors carry the HTTP status");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "generic call 404");
}

/* The operation entry: any operation by its operationId, params split into path and query by the
 * library, confirmation for the destructive ones, lists as handles, the multipart upload. */
static void test_operations(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    char params[256];
    snprintf(params, sizeof params, "{\"groupId\":\"%s\"}", groups.id[0]);
    fivetrex_status st = fivetrex_operation_call(client, "group_details", params, NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "operation_call group_details");
    CHECK(contains(json, "\"code\":\"Success\"") && contains(json, groups.id[0]), "the whole answer for the group");
    fivetrex_string_free(json);

    /* A paged list: the group's connections, 2 per page, the group as a query filter. */
    fivetrex_list *list = NULL;
    snprintf(params, sizeof params, "{\"group_id\":\"%s\",\"limit\":2}", groups.id[0]);
    st = fivetrex_operation_list(client, "list_connections", params, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "operation_list list_connections");
    struct ids listed = {0};
    CHECK(walk(list, "\"group_id\":\"", &listed) == CONNECTIONS_PER_GROUP, "the operation list over five pages");
    CHECK(same_ids(&listed, &connections), "the operation list matches the typed walk");
    fivetrex_list_free(list);
    list = NULL;
    st = fivetrex_operation_list(client, "group_details", "{\"groupId\":\"x\"}", &list, &err);
    CHECK(list == NULL, "no list handle for an operation that does not page");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "operation_list of a non-list operation");

    /* Create, then delete only with the right confirmation. */
    st = fivetrex_operation_call(client, "create_group", NULL, "{\"name\":\"c_host_operation\"}", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "operation_call create_group");
    char id[64];
    json_str(json, "id", id, sizeof id);
    CHECK(id[0] != '\0', "the created group's id");
    fivetrex_string_free(json);
    snprintf(params, sizeof params, "{\"groupId\":\"%s\"}", id);
    json = NULL;
    st = fivetrex_operation_call(client, "delete_group", params, NULL, NULL, &json, &err);
    CHECK(json == NULL, "no answer without confirmation");
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "DELETE without confirm");
    st = fivetrex_operation_call(client, "delete_group", params, NULL, groups.id[1], &json, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "DELETE with another id as confirm");
    snprintf(params, sizeof params, "{\"connectionId\":\"%s\"}", connections.id[0]);
    st = fivetrex_operation_call(client, "resync_connection", params, NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a resync without confirm");
    snprintf(params, sizeof params, "{\"groupId\":\"%s\"}", id);
    st = fivetrex_operation_call(client, "delete_group", params, NULL, id, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "DELETE with its confirmation");
    CHECK(contains(json, "\"code\":\"Success\""), "the delete answer");
    fivetrex_string_free(json);

    /* Bad input, refused before anything is sent. */
    st = fivetrex_operation_call(client, "no_such_operation", NULL, NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "an unknown operationId");
    st = fivetrex_operation_call(client, "group_details", "{}", NULL, NULL, NULL, &err);
    CHECK(contains(fivetrex_error_message(err), "groupId"), "the missing path parameter is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "a missing path parameter");
    st = fivetrex_operation_call(client, "group_details", "[1]", NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "params that are not an object");

    /* The multipart upload, then the same package through the generic call and its download. */
    static const uint8_t zip[] = {'P', 'K', 3, 4, 0, 1, 2, 0, 'z'};
    st = fivetrex_operation_upload(client, "create_connector_sdk_package", NULL, "code.zip", zip, sizeof zip, NULL,
                                   &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "operation_upload create_connector_sdk_package");
    char package[64];
    json_str(json, "id", package, sizeof package);
    CHECK(package[0] != '\0' && contains(json, "\"file_sha256_hash\":\""), "the uploaded package");
    fivetrex_string_free(json);
    snprintf(params, sizeof params, "{\"package_id\":\"%s\"}", package);
    st = fivetrex_operation_upload(client, "update_connector_sdk_package", params, "code.zip", zip, 4, NULL, &json,
                                   &err);
    expect(st, FIVETREX_STATUS_OK, err, "operation_upload update_connector_sdk_package");
    CHECK(contains(json, package), "the updated package");
    fivetrex_string_free(json);
    st = fivetrex_operation_upload(client, "create_group", NULL, "x", zip, sizeof zip, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "upload to an operation without a file");
    st = fivetrex_operation_upload(client, "create_connector_sdk_package", NULL, "x", NULL, 3, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "upload of NULL bytes with a length");
    st = fivetrex_operation_call(client, "create_connector_sdk_package", NULL, NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "operation_call refuses the multipart operations");
    st = fivetrex_operation_call(client, "delete_connector_sdk_package", params, NULL, package, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "the package deleted with its confirmation");
}

/* Every family of the operation table at least once through the operation entry: its list
 * walked to the end (two items per page, so the longer ones span pages), or one call for the
 * families without a list. */
static void test_every_family(fivetrex_client *client) {
    static const char *lists[] = {
        "list_all_groups",     "list_connections",          "list_destinations",
        "list_esms",           "get_hybrid_deployment_agent_list", "list_log_services",
        "metadata_connectors", "get_private_links",         "get_proxy_agent",
        "list_all_roles",      "get_system_keys",           "list_all_teams",
        "transformations_list", "list_all_transformation_projects", "list_all_users",
        "list_all_webhooks",   "list_connector_sdk_packages",
    };
    fivetrex_error *err = NULL;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        fivetrex_list *list = NULL;
        fivetrex_status st = fivetrex_operation_list(client, lists[i], "{\"limit\":2}", &list, &err);
        expect(st, FIVETREX_STATUS_OK, err, lists[i]);
        CHECK(walk(list, NULL, NULL) >= 0, lists[i]);
        fivetrex_list_free(list);
    }
    char params[160], what[96];
    /* Connection-scoped families: certificates (a list) and schemas (a call). */
    snprintf(params, sizeof params, "{\"connectionId\":\"%s\",\"limit\":2}", connections.id[1]);
    fivetrex_list *list = NULL;
    fivetrex_status st = fivetrex_operation_list(client, "get_connection_certificates_list", params, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "certificates of a connection");
    CHECK(walk(list, NULL, NULL) >= 0, "certificates walk");
    fivetrex_list_free(list);
    snprintf(params, sizeof params, "{\"connectionId\":\"%s\"}", connections.id[1]);
    static const struct {
        const char *id;
        const char *body;
        const char *must;
    } calls[] = {
        {"get_account_info", NULL, "\"account_id\""},
        {"connection_schema_config", NULL, "\"code\":\"Success\""},
        {"hvr_register_hub", "{\"hub_server_url\":\"https://hub.example\"}", "\"registration_id\""},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        char *json = NULL;
        st = fivetrex_operation_call(client, calls[i].id, i == 1 ? params : NULL, calls[i].body, NULL, &json, &err);
        expect(st, FIVETREX_STATUS_OK, err, calls[i].id);
        snprintf(what, sizeof what, "%s answers %s", calls[i].id, calls[i].must);
        CHECK(contains(json, calls[i].must), what);
        fivetrex_string_free(json);
    }
}

static atomic_int progress_calls;

static void on_progress(uint32_t poll, uint64_t elapsed_ms, const char *sync_state, fivetrex_status status,
                        void *userdata) {
    (void)elapsed_ms;
    (void)sync_state;
    if (userdata == &progress_calls && poll >= 1 && status == FIVETREX_STATUS_OK) {
        atomic_fetch_add(&progress_calls, 1);
    }
}

static void test_sync(fivetrex_client *client) {
    fivetrex_wait_options opts = {.struct_size = sizeof(fivetrex_wait_options)};
    opts.poll_interval_ms = 20;
    opts.timeout_ms = 20000;
    opts.on_progress = on_progress;
    opts.on_progress_userdata = &progress_calls;
    fivetrex_sync_outcome outcome = FIVETREX_SYNC_OUTCOME_TIMED_OUT;
    char *json = NULL;
    fivetrex_error *err = NULL;

    char before[64];
    fivetrex_status st = fivetrex_connection_get(client, connections.id[0], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "the connection before its sync");
    json_str(json, "succeeded_at", before, sizeof before);
    fivetrex_string_free(json);

    st = fivetrex_connection_sync_and_wait(client, connections.id[0], &opts, &outcome, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_SUCCEEDED, "the sync succeeded");
    char at[64];
    json_str(json, "at", at, sizeof at);
    CHECK(contains(json, "\"outcome\":\"succeeded\"") && strcmp(at, before) > 0, "a new succeeded_at");
    CHECK(contains(json, "\"resumed\":false"), "not resumed: it was not paused");
    CHECK(json_int(json, "elapsed_ms") >= 0, "elapsed_ms");
    CHECK(atomic_load(&progress_calls) >= 1, "the progress callback ran");
    fivetrex_string_free(json);

    char path[128];
    snprintf(path, sizeof path, "/__emulator/connections/%s", connections.id[1]);
    control(client, path, "{\"sync_outcome\":\"failure\"}");
    st = fivetrex_connection_sync_and_wait(client, connections.id[1], &opts, &outcome, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait on a failing connection");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_FAILED, "the sync failed");
    CHECK(contains(json, "\"outcome\":\"failed\"") && contains(json, "\"tasks\":[{"), "failure details with tasks");
    fivetrex_string_free(json);

    st = fivetrex_connection_sync_and_wait(client, connections.id[7], &opts, &outcome, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait on a paused connection");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_PAUSED, "a paused connection is reported, not waited on");
    /* Flags are integers: 2 is on like 1 (in a C bool field it was undefined behaviour). */
    fivetrex_wait_options resume = opts;
    resume.resume_if_paused = 2;
    st = fivetrex_connection_sync_and_wait(client, connections.id[7], &resume, &outcome, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait resuming a paused connection (flag 2)");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_SUCCEEDED, "resume_if_paused = 2 resumed the connection");
    st = fivetrex_connection_sync_and_wait(client, connections.id[9], &opts, &outcome, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait on a broken connection");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_BROKEN && contains(json, "\"outcome\":\"broken\""), "broken");
    fivetrex_string_free(json);

    /* A sync longer than the wait: timed out, with the baseline to resume with. */
    snprintf(path, sizeof path, "/__emulator/connections/%s", connections.id[2]);
    control(client, path, "{\"sync_duration_ms\":600000}");
    fivetrex_wait_options short_wait = {.struct_size = sizeof(fivetrex_wait_options)};
    short_wait.poll_interval_ms = 20;
    short_wait.timeout_ms = 100;
    st = fivetrex_connection_sync_and_wait(client, connections.id[2], &short_wait, &outcome, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "sync and wait that times out");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_TIMED_OUT && contains(json, "\"baseline\":{\""),
          "timed out, baseline");
    char baseline[160];
    json_obj(json, "baseline", baseline, sizeof baseline);
    fivetrex_string_free(json);
    st = fivetrex_connection_wait_for_sync(client, connections.id[2], baseline, &short_wait, &outcome, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "wait for a sync already running");
    CHECK(outcome == FIVETREX_SYNC_OUTCOME_TIMED_OUT, "still running");

    /* A cancelled wait returns at once, with CANCELLED, from another thread's cancel. */
    fivetrex_wait_options long_wait = {.struct_size = sizeof(fivetrex_wait_options)};
    long_wait.poll_interval_ms = 10000;
    long_wait.timeout_ms = 60000;
    long_wait.cancel = fivetrex_cancel_token_new();
    struct canceller c = {(fivetrex_cancel_token *)long_wait.cancel, 50, 0};
    pthread_t canceller_thread;
    CHECK(pthread_create(&canceller_thread, NULL, cancel_later, &c) == 0, "start the canceller");
    st = fivetrex_connection_wait_for_sync(client, connections.id[2], baseline, &long_wait, &outcome, NULL, &err);
    double returned_at = now_ms();
    pthread_join(canceller_thread, NULL);
    expect(st, FIVETREX_STATUS_CANCELLED, err, "a cancelled wait");
    /* valgrind runs the threads one at a time, many times slower: the waking takes longer there. */
    double bound_ms = RUNNING_ON_VALGRIND ? 1000 : 100;
    CHECK(returned_at - c.cancelled_at < bound_ms, "a cancelled wait returns within 100 ms (1 s under valgrind)");
    CHECK(fivetrex_cancel_token_is_cancelled(long_wait.cancel), "the token reads cancelled");
    /* A client watching a cancelled token starts no request. */
    fivetrex_client *watched = NULL;
    st = fivetrex_client_with_cancel(client, long_wait.cancel, &watched, &err);
    expect(st, FIVETREX_STATUS_OK, err, "a client watching a token");
    st = fivetrex_connection_get(watched, connections.id[2], &json, &err);
    expect(st, FIVETREX_STATUS_CANCELLED, err, "a call through a cancelled client");
    fivetrex_client_free(watched);
    fivetrex_cancel_token_free((fivetrex_cancel_token *)long_wait.cancel);

    /* Resync: while the sync runs the API says 409; then a table resync and a full one. */
    st = fivetrex_connection_resync(client, connections.id[2], "{\"public\":[\"orders\"]}", connections.id[2],
                                    NULL, &err);
    expect(st, FIVETREX_STATUS_CONFLICT, err, "resync while syncing is CONFLICT");
    st = fivetrex_connection_resync(client, connections.id[3], "{\"public\":[\"orders\"]}", NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a table resync needs its confirmation too");
    st = fivetrex_connection_resync(client, connections.id[3], "{\"public\":[\"orders\",\"items\"]}",
                                    connections.id[3], &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "resync two tables");
    CHECK(contains(json, "\"code\":\"Success\""), "the resync answer");
    fivetrex_string_free(json);
    st = fivetrex_connection_resync(client, connections.id[4], NULL, connections.id[3], NULL, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a full resync needs the matching confirmation");
    st = fivetrex_connection_resync(client, connections.id[4], NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "a full resync without confirmation");
    st = fivetrex_connection_resync(client, connections.id[4], NULL, connections.id[4], NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "a confirmed full resync");

    st = fivetrex_connection_sync(client, connections.id[5], 1, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "trigger a forced sync");
    CHECK(contains(json, "\"code\":\"Success\""), "the sync answer");
    fivetrex_string_free(json);

    st = fivetrex_connection_sync_and_wait(client, "missing", &opts, &outcome, &json, &err);
    CHECK(json == NULL, "no details on an error");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "sync and wait on an unknown connection");
}

static void test_bad_input(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st;
    const char *group = groups.id[0];

    st = fivetrex_group_get(NULL, group, &json, &err);
    CHECK(contains(fivetrex_error_message(err), "`client` is NULL"), "NULL client is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL client");
    st = fivetrex_group_get(client, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL id");
    st = fivetrex_group_get(client, group, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_json");
    st = fivetrex_group_get(client, "", &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "empty id refused before sending");
    st = fivetrex_group_get(client, "bad\xff\xfe", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "UTF-8"), "invalid UTF-8 is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "invalid UTF-8");
    st = fivetrex_raw_call(client, "POST", "/v1/groups", NULL, "{\"name\": oops", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "not valid JSON"), "malformed JSON is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "malformed JSON body");
    st = fivetrex_connection_create(client, "[1]", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "JSON object"), "a body must be an object");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "create body that is not an object");
    st = fivetrex_connection_update(client, connections.id[0], "{\"paused\":", &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "malformed changes");
    st = fivetrex_connection_resync(client, connections.id[0], "{\"public\":\"orders\"}", connections.id[0], NULL,
                                    &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "tables that are not a list");
    st = fivetrex_raw_call(client, "GET", "/v1/groups", "[1,2]", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "query that is not an object");
    st = fivetrex_raw_call(client, "GET", "/v1/groups", "{\"a\":{\"b\":1}}", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "nested query value");
    st = fivetrex_raw_call(client, "FETCH", "/v1/groups", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "unknown method");
    st = fivetrex_raw_call(client, "GET", "v1/groups", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "path without a leading slash");
    st = fivetrex_raw_call(client, "GET", "/v1/groups\xc3", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "path with invalid UTF-8");
    CHECK(json == NULL, "out_json stays NULL on refused input");

    fivetrex_wait_options wait = {.struct_size = sizeof(fivetrex_wait_options)};
    st = fivetrex_connection_sync_and_wait(client, connections.id[0], &wait, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_outcome");
    fivetrex_sync_outcome outcome;
    st = fivetrex_connection_wait_for_sync(client, connections.id[0], "yesterday", &wait, &outcome, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "a baseline that is not JSON");
    st = fivetrex_connection_wait_for_sync(client, connections.id[0], "{\"succeeded_at\":\"yesterday\"}", &wait, &outcome, NULL,
                                &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "a baseline timestamp that is not RFC 3339");

    fivetrex_list *list = NULL;
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 5000;
    st = fivetrex_group_list(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "a list is made before its page size is checked");
    st = fivetrex_list_next(list, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "page size out of range on the first next");
    st = fivetrex_list_next(list, &json, &err);
    expect(st, FIVETREX_STATUS_DONE, err, "after an error the walk is over");
    fivetrex_list_free(list);
    st = fivetrex_list_next(NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL list");
    st = fivetrex_group_list(client, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_list");

    /* Every free accepts NULL. */
    fivetrex_string_free(NULL);
    fivetrex_error_free(NULL);
    fivetrex_list_free(NULL);
    fivetrex_client_free(NULL);
    CHECK(1, "freeing NULL is a no-op");

    st = fivetrex_test_panic(&err);
    CHECK(fivetrex_error_status(err) == FIVETREX_STATUS_PANIC, "the panic error");
    CHECK(contains(fivetrex_error_message(err), "fivetrex_test_panic was called"), "the panic's text");
    expect(st, FIVETREX_STATUS_PANIC, err, "a panic comes back as PANIC");
    CHECK(fivetrex_test_panic(NULL) == FIVETREX_STATUS_PANIC, "PANIC with a NULL err");
    st = fivetrex_group_get(client, group, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "the library still works after a panic");
    fivetrex_string_free(json);
}

#define THREADS 8
#define CALLS_PER_THREAD 25

struct worker {
    fivetrex_client *client;
    int ok;
    int walked;
};

static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        char *json = NULL;
        const char *id = groups.id[i % GROUPS];
        if (fivetrex_group_get(w->client, id, &json, NULL) == FIVETREX_STATUS_OK && contains(json, id)) {
            w->ok++;
        }
        fivetrex_string_free(json);
    }
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options)};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    if (fivetrex_group_list(w->client, &opts, &list, NULL) == FIVETREX_STATUS_OK) {
        w->walked = walk(list, NULL, NULL);
    }
    fivetrex_list_free(list);
    return NULL;
}

static void test_threads(fivetrex_client *client) {
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){client, 0, 0};
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "start a thread");
    }
    int all_ok = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].ok != CALLS_PER_THREAD || workers[i].walked != GROUPS) {
            printf("thread %d: %d of %d calls ok, walked %d groups\n", i, workers[i].ok, CALLS_PER_THREAD,
                   workers[i].walked);
            all_ok = 0;
        }
    }
    CHECK(all_ok, "one client used by 8 threads at once: every call and walk succeeded");
}

static atomic_int log_messages;
static atomic_int log_leaks;

static void on_log(fivetrex_log_level level, const char *message, void *userdata) {
    atomic_fetch_add(&log_messages, 1);
    if (contains(message, secret) || level < FIVETREX_LOG_LEVEL_ERROR || level > FIVETREX_LOG_LEVEL_TRACE ||
        userdata != &log_messages) {
        atomic_fetch_add(&log_leaks, 1);
    }
}

static void test_logger(fivetrex_client *client) {
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_logger_set(NULL, NULL, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL log callback");
    st = fivetrex_logger_set(on_log, &log_messages, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_OK, err, "install the logger");
    st = fivetrex_logger_set(on_log, &log_messages, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_CONFIG, err, "the logger is installed once");
    char *json = NULL;
    st = fivetrex_group_get(client, "missing", &json, NULL);
    CHECK(st == FIVETREX_STATUS_NOT_FOUND, "a logged request");
    CHECK(atomic_load(&log_messages) >= 2, "the request and its failure were logged");
    CHECK(atomic_load(&log_leaks) == 0, "log messages are well-formed and hold no secret");
}

static void copy_env(const char *name, char *out, size_t size) {
    const char *v = getenv(name);
    snprintf(out, size, "%s", v ? v : "");
}

int main(int argc, char **argv) {
    base_url = argc > 1 ? argv[1] : getenv("FIVETREX_TEST_URL");
    copy_env("FIVETRAN_API_KEY", key, sizeof key);
    copy_env("FIVETRAN_API_SECRET", secret, sizeof secret);
    if (base_url == NULL || base_url[0] == '\0' || key[0] == '\0' || secret[0] == '\0') {
        fprintf(stderr, "usage: FIVETRAN_API_KEY=.. FIVETRAN_API_SECRET=.. %s <emulator_url>\n", argv[0]);
        return 2;
    }
    test_basics();
    test_construction();
    /* Every default: a 429 asking for an hour is over the 60 s cap, so it comes back at once. */
    fivetrex_client *client = new_client(NULL);
    test_groups(client);
    if (groups.n != GROUPS) {
        printf("cannot go on without the groups\n");
        return 1;
    }
    test_group_lifecycle(client);
    test_connections(client);
    test_rows(client);
    if (connections.n != CONNECTIONS_PER_GROUP) {
        printf("cannot go on without the connections\n");
        return 1;
    }
    test_unknown_fields(client);
    test_connection_lifecycle(client);
    test_destinations(client);
    test_errors(client);
    test_retry_callback();
    test_generic_call(client);
    test_operations(client);
    test_every_family(client);
    test_sync(client);
    test_bad_input(client);
    test_threads(client);
    test_logger(client);
    fivetrex_client_free(client);

    printf("C host: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
