/*
 * The C host test: drives libfivetrex through its header the way a C program would, against a
 * server that serves the pages and faults listed in tests/c_host.rs, and checks what comes back.
 * Run under valgrind (see the Makefile's `check` target): every handle and string is freed.
 *
 *   test <base_url>        (or FIVETREX_TEST_URL in the environment)
 *
 * Exit status 0 when every check passed; the last line is "C host: N passed, M failed".
 */
#include "fivetrex.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "test_key"
#define SECRET "s3cr3t-value-never-shown"

static int passed, failed;

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
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* Checks a status and, on a mismatch, prints the error's message. Frees `err`. */
static void expect(fivetrex_status got, fivetrex_status want, fivetrex_error *err, const char *what) {
    char detail[512];
    snprintf(detail, sizeof detail, "got %s, want %s (%s)", fivetrex_status_name(got), fivetrex_status_name(want),
             fivetrex_error_message(err));
    check(got == want, what, got == want ? NULL : detail);
    fivetrex_error_free(err);
}

static const char *base_url;

static fivetrex_client *new_client(const fivetrex_client_options *options) {
    fivetrex_client *client = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_client_new(KEY, SECRET, base_url, options, &client, &err);
    if (st != FIVETREX_STATUS_OK) {
        printf("cannot create a client: %s\n", fivetrex_error_message(err));
        fivetrex_error_free(err);
        exit(2);
    }
    return client;
}

/* Walks a list to its end; returns the number of items, or -1 on an error. Every item must hold
 * `must_hold`; the ids seen are appended to `ids` (comma separated) when it is not NULL. */
static int walk(fivetrex_list *list, const char *must_hold, char *ids, size_t ids_size) {
    int n = 0;
    for (;;) {
        char *item = NULL;
        fivetrex_error *err = NULL;
        fivetrex_status st = fivetrex_list_next(list, &item, &err);
        if (st == FIVETREX_STATUS_DONE) {
            CHECK(item == NULL && err == NULL, "DONE leaves the outputs NULL");
            break;
        }
        if (st != FIVETREX_STATUS_OK) {
            printf("walk failed: %s\n", fivetrex_error_message(err));
            fivetrex_error_free(err);
            return -1;
        }
        if (must_hold && !contains(item, must_hold)) {
            printf("item without %s: %s\n", must_hold, item);
            n = -1000;
        }
        if (ids) {
            const char *id = strstr(item, "\"id\":\"");
            if (id) {
                id += 6;
                size_t len = strcspn(id, "\"");
                size_t used = strlen(ids);
                if (used + len + 2 < ids_size) {
                    memcpy(ids + used, id, len);
                    ids[used + len] = ',';
                    ids[used + len + 1] = '\0';
                }
            }
        }
        fivetrex_string_free(item);
        n++;
    }
    return n;
}

static void test_basics(void) {
    const char *v = fivetrex_version();
    CHECK(v != NULL && strlen(v) > 0 && strchr(v, '.') != NULL, "fivetrex_version is a version");
    CHECK(strcmp(fivetrex_status_name(FIVETREX_STATUS_NOT_FOUND), "NOT_FOUND") == 0, "status names");
    CHECK(strcmp(fivetrex_status_name(12345), "UNKNOWN") == 0, "unknown status name");
}

static void test_construction(void) {
    fivetrex_client *client = (fivetrex_client *)0x1;
    fivetrex_error *err = NULL;

    fivetrex_status st = fivetrex_client_new(NULL, SECRET, base_url, NULL, &client, &err);
    CHECK(client == NULL, "a failed constructor leaves *out_client NULL");
    CHECK(contains(fivetrex_error_message(err), "api_key"), "the NULL argument is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL key");

    st = fivetrex_client_new("", SECRET, base_url, NULL, &client, &err);
    CHECK(contains(fivetrex_error_message(err), "API key"), "empty key message");
    expect(st, FIVETREX_STATUS_CONFIG, err, "empty key is a configuration error");

    st = fivetrex_client_new(KEY, SECRET, "http://example.com", NULL, &client, &err);
    CHECK(!contains(fivetrex_error_message(err), SECRET), "errors never hold the secret");
    expect(st, FIVETREX_STATUS_CONFIG, err, "plain http to a remote host is refused");

    st = fivetrex_client_new(KEY, SECRET, base_url, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_client");

    setenv("FIVETRAN_API_KEY", KEY, 1);
    setenv("FIVETRAN_API_SECRET", SECRET, 1);
    setenv("FIVETRAN_BASE_URL", base_url, 1);
    st = fivetrex_client_from_env(NULL, &client, &err);
    expect(st, FIVETREX_STATUS_OK, err, "client from the environment");
    char *json = NULL;
    st = fivetrex_group(client, "group_0", &json, &err);
    CHECK(contains(json, "\"id\":\"group_0\""), "the client from the environment works");
    expect(st, FIVETREX_STATUS_OK, err, "get with the client from the environment");
    fivetrex_string_free(json);
    fivetrex_client_free(client);

    unsetenv("FIVETRAN_API_SECRET");
    st = fivetrex_client_from_env(NULL, &client, &err);
    CHECK(client == NULL, "no client without a secret");
    expect(st, FIVETREX_STATUS_CONFIG, err, "missing secret in the environment");
    unsetenv("FIVETRAN_API_KEY");
    unsetenv("FIVETRAN_BASE_URL");
}

static void test_groups_walk(fivetrex_client *client) {
    fivetrex_list_options opts = {0};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_groups(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_groups");
    char ids[256] = "";
    int n = walk(list, "\"created_at\":\"2024-01-01T00:00:00.123456Z\"", ids, sizeof ids);
    CHECK(n == 5, "five groups over three pages");
    CHECK(strcmp(ids, "group_0,group_1,group_2,group_3,group_4,") == 0, "groups in order");
    char *item = NULL;
    st = fivetrex_list_next(list, &item, NULL);
    CHECK(st == FIVETREX_STATUS_DONE && item == NULL, "a finished list stays DONE");
    fivetrex_list_free(list);

    /* Page by page, resuming from a cursor as the Elixir wrapper does. */
    opts.cursor = "c1";
    st = fivetrex_groups(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_groups from a cursor");
    char *page = NULL;
    st = fivetrex_list_next_page(list, &page, &err);
    expect(st, FIVETREX_STATUS_OK, err, "page from cursor c1");
    CHECK(contains(page, "{\"items\":[{\"id\":\"group_2\""), "the page starts at group_2");
    CHECK(contains(page, "\"id\":\"group_3\""), "the page holds group_3");
    CHECK(!contains(page, "\"id\":\"group_4\""), "one page only");
    CHECK(contains(page, "\"next_cursor\":\"c2\"}"), "the page gives the next cursor");
    fivetrex_string_free(page);
    st = fivetrex_list_next_page(list, &page, &err);
    expect(st, FIVETREX_STATUS_OK, err, "last page");
    CHECK(contains(page, "\"id\":\"group_4\"") && contains(page, "\"next_cursor\":null"), "last page has no cursor");
    fivetrex_string_free(page);
    page = (char *)0x1;
    st = fivetrex_list_next_page(list, &page, &err);
    CHECK(page == NULL && err == NULL, "DONE clears the outputs");
    expect(st, FIVETREX_STATUS_DONE, err, "pages end with DONE");
    fivetrex_list_free(list);

    /* The same walk through the generic list: items exactly as the API sent them. */
    opts.cursor = NULL;
    st = fivetrex_raw_list(client, "/v1/groups", NULL, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_raw_list");
    ids[0] = '\0';
    CHECK(walk(list, "\"name\":\"Group ", ids, sizeof ids) == 5, "raw list walks five items");
    CHECK(strcmp(ids, "group_0,group_1,group_2,group_3,group_4,") == 0, "raw items in order");
    fivetrex_list_free(list);
}

static void test_connections_walk(fivetrex_client *client) {
    fivetrex_list_options opts = {0};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_connections(client, "group_0", &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "fivetrex_group_connections");
    char ids[256] = "";
    CHECK(walk(list, "\"group_id\":\"group_0\"", ids, sizeof ids) == 5, "five connections over three pages");
    CHECK(strcmp(ids, "conn_0,conn_1,conn_2,conn_3,conn_4,") == 0, "connections in order");
    fivetrex_list_free(list);
}

static void test_group_lifecycle(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_create(client, "Fresh", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "create a group");
    CHECK(contains(json, "\"id\":\"group_new\"") && contains(json, "\"name\":\"Fresh\""), "the created group");
    fivetrex_string_free(json);

    st = fivetrex_group_update(client, "group_new", "Renamed", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "rename a group");
    CHECK(contains(json, "\"name\":\"Renamed\""), "the renamed group");
    fivetrex_string_free(json);

    st = fivetrex_group_delete(client, "group_new", "group_0", &json, &err);
    CHECK(json == NULL, "no answer without confirmation");
    CHECK(contains(fivetrex_error_message(err), "group_new"), "the confirmation error names the group");
    expect(st, FIVETREX_STATUS_CONFIRMATION_REQUIRED, err, "delete needs the matching confirmation");

    st = fivetrex_group_delete(client, "group_new", "group_new", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "delete a group");
    CHECK(contains(json, "\"code\":\"Success\""), "the delete answer");
    fivetrex_string_free(json);
}

static void test_errors(fivetrex_client *client) {
    char *json = (char *)0x1;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group(client, "missing", &json, &err);
    CHECK(json == NULL, "a failed call leaves *out_json NULL");
    CHECK(fivetrex_error_status(err) == FIVETREX_STATUS_NOT_FOUND, "404 error status");
    CHECK(fivetrex_error_http_status(err) == 404, "404 HTTP status");
    CHECK(fivetrex_error_api_code(err) && strcmp(fivetrex_error_api_code(err), "NotFound_Group") == 0, "404 code");
    CHECK(contains(fivetrex_error_api_message(err), "Group missing not found"), "404 API message");
    CHECK(contains(fivetrex_error_message(err), "not found"), "404 message");
    CHECK(fivetrex_error_retry_after_ms(err) == -1, "no retry-after on a 404");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "404 is NOT_FOUND");

    st = fivetrex_group(client, "busy", &json, &err);
    CHECK(fivetrex_error_http_status(err) == 429, "429 HTTP status");
    CHECK(fivetrex_error_retry_after_ms(err) == 3600000, "Retry-After: 3600 is 3600000 ms");
    CHECK(fivetrex_error_api_code(err) && strcmp(fivetrex_error_api_code(err), "TooManyRequests") == 0, "429 code");
    expect(st, FIVETREX_STATUS_RATE_LIMITED, err, "429 over the cap comes back at once as RATE_LIMITED");

    st = fivetrex_group(client, "missing", &json, NULL);
    CHECK(st == FIVETREX_STATUS_NOT_FOUND, "a NULL err still gets the status");

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
    fivetrex_client_options opts = {0};
    opts.retry_base_delay_ms = 1;
    opts.on_retry = on_retry;
    opts.on_retry_userdata = &retries;
    opts.user_agent = "fivetrex-c-test";
    fivetrex_client *client = new_client(&opts);
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group(client, "flaky", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "two 503s then 200");
    CHECK(contains(json, "\"id\":\"flaky\""), "the answer after retries");
    CHECK(atomic_load(&retries) == 2, "the retry callback ran twice");
    CHECK(atomic_load(&retry_bad) == 0, "retry callback arguments (attempt, status, delay, userdata)");
    fivetrex_string_free(json);
    fivetrex_client_free(client);
}

static void test_generic_call(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_call(client, "get", "/v1/account/info",
                                       "{\"mode\":\"full\",\"n\":2,\"flag\":true,\"tag\":[\"x\",\"y\"],\"skip\":null}",
                                       NULL, &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic GET with a query");
    CHECK(contains(json, "\"code\":\"Success\"") && contains(json, "\"account_id\":\"acc_1\""), "whole answer");
    fivetrex_string_free(json);

    st = fivetrex_call(client, "POST", "/v1/groups/group_0/users", NULL,
                       "{\"email\":\"new@example.com\",\"role\":\"Account Reviewer\"}", &json, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic POST with a body");
    CHECK(contains(json, "User has been added"), "POST answer");
    fivetrex_string_free(json);

    st = fivetrex_call(client, "DELETE", "/v1/groups/group_0/users/user_9", NULL, NULL, NULL, &err);
    expect(st, FIVETREX_STATUS_OK, err, "generic DELETE, answer discarded");

    st = fivetrex_call(client, "GET", "/v1/groups/missing", NULL, NULL, &json, &err);
    CHECK(fivetrex_error_http_status(err) == 404, "generic call errors carry the HTTP status");
    expect(st, FIVETREX_STATUS_NOT_FOUND, err, "generic call 404");
}

static void test_bad_input(fivetrex_client *client) {
    char *json = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st;

    st = fivetrex_group(NULL, "group_0", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "`client` is NULL"), "NULL client is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL client");
    st = fivetrex_group(client, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL id");
    st = fivetrex_group(client, "group_0", NULL, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL out_json");
    st = fivetrex_group(client, "", &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "empty id refused before sending");
    st = fivetrex_group(client, "bad\xff\xfe", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "UTF-8"), "invalid UTF-8 is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "invalid UTF-8");
    st = fivetrex_call(client, "POST", "/v1/groups", NULL, "{\"name\": oops", &json, &err);
    CHECK(contains(fivetrex_error_message(err), "not valid JSON"), "malformed JSON is named");
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "malformed JSON body");
    st = fivetrex_call(client, "GET", "/v1/groups", "[1,2]", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "query that is not an object");
    st = fivetrex_call(client, "GET", "/v1/groups", "{\"a\":{\"b\":1}}", NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "nested query value");
    st = fivetrex_call(client, "FETCH", "/v1/groups", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "unknown method");
    st = fivetrex_call(client, "GET", "v1/groups", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "path without a leading slash");
    st = fivetrex_call(client, "GET", "/v1/groups\xc3", NULL, NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "path with invalid UTF-8");
    CHECK(json == NULL, "out_json stays NULL on refused input");

    fivetrex_list *list = NULL;
    fivetrex_list_options opts = {0};
    opts.page_size = 5000;
    st = fivetrex_groups(client, &opts, &list, &err);
    expect(st, FIVETREX_STATUS_OK, err, "a list is made before its page size is checked");
    st = fivetrex_list_next(list, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "page size out of range on the first next");
    st = fivetrex_list_next(list, &json, &err);
    expect(st, FIVETREX_STATUS_DONE, err, "after an error the walk is over");
    fivetrex_list_free(list);
    st = fivetrex_list_next(NULL, &json, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL list");
    st = fivetrex_groups(client, NULL, NULL, &err);
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
    st = fivetrex_group(client, "group_0", &json, &err);
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
        fivetrex_status st = fivetrex_group(w->client, "group_0", &json, NULL);
        if (st == FIVETREX_STATUS_OK && contains(json, "\"id\":\"group_0\"")) {
            w->ok++;
        }
        fivetrex_string_free(json);
    }
    fivetrex_list_options opts = {0};
    opts.page_size = 2;
    fivetrex_list *list = NULL;
    if (fivetrex_groups(w->client, &opts, &list, NULL) == FIVETREX_STATUS_OK) {
        w->walked = walk(list, NULL, NULL, 0);
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
        if (workers[i].ok != CALLS_PER_THREAD || workers[i].walked != 5) {
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
    if (contains(message, SECRET) || level < FIVETREX_LOG_LEVEL_ERROR || level > FIVETREX_LOG_LEVEL_TRACE ||
        userdata != &log_messages) {
        atomic_fetch_add(&log_leaks, 1);
    }
}

static void test_logger(fivetrex_client *client) {
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_set_logger(NULL, NULL, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_INVALID_ARGUMENT, err, "NULL log callback");
    st = fivetrex_set_logger(on_log, &log_messages, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_OK, err, "install the logger");
    st = fivetrex_set_logger(on_log, &log_messages, FIVETREX_LOG_LEVEL_DEBUG, &err);
    expect(st, FIVETREX_STATUS_CONFIG, err, "the logger is installed once");
    char *json = NULL;
    st = fivetrex_group(client, "missing", &json, NULL);
    CHECK(st == FIVETREX_STATUS_NOT_FOUND, "a logged request");
    CHECK(atomic_load(&log_messages) >= 2, "the request and its failure were logged");
    CHECK(atomic_load(&log_leaks) == 0, "log messages are well-formed and hold no secret");
}

int main(int argc, char **argv) {
    base_url = argc > 1 ? argv[1] : getenv("FIVETREX_TEST_URL");
    if (base_url == NULL || base_url[0] == '\0') {
        fprintf(stderr, "usage: %s <base_url>   (or set FIVETREX_TEST_URL)\n", argv[0]);
        return 2;
    }
    test_basics();
    test_construction();
    /* Every default: a 429 asking for an hour is over the 60 s cap, so it comes back at once. */
    fivetrex_client *client = new_client(NULL);
    test_groups_walk(client);
    test_connections_walk(client);
    test_group_lifecycle(client);
    test_errors(client);
    test_retry_callback();
    test_generic_call(client);
    test_bad_input(client);
    test_threads(client);
    test_logger(client);
    fivetrex_client_free(client);

    printf("C host: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
