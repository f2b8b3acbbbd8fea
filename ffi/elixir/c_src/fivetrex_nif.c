/*
 * The NIF over libfivetrex: converts Erlang terms to C arguments, calls the C ABI and converts
 * the results back. No business logic lives here.
 *
 * - Every function that can block (an HTTP request, a retry's sleep) runs on a dirty I/O
 *   scheduler (ERL_NIF_DIRTY_JOB_IO_BOUND), so the VM's normal schedulers never wait on the
 *   network. The term conversions run on dirty CPU schedulers (their cost grows with the input).
 * - Clients and lists are resources: the VM's garbage collector frees them through their
 *   destructors (fivetrex_client_free, fivetrex_list_free). A list may be shared between
 *   processes, so its use is serialised by a mutex.
 * - JSON never gets parsed here: results are converted by the library to the external term
 *   format (fivetrex_elixir_json_to_etf) and decoded by the VM (enif_binary_to_term with
 *   ERL_NIF_BIN2TERM_SAFE: no atom is created); arguments go the other way
 *   (enif_term_to_binary, then fivetrex_elixir_etf_to_json).
 */
#include <erl_nif.h>
#include <string.h>

#include "fivetrex.h"

typedef struct {
    fivetrex_client *client;
} client_res;

typedef struct {
    fivetrex_list *list;
    ErlNifMutex *lock;
} list_res;

static ErlNifResourceType *CLIENT_TYPE;
static ErlNifResourceType *CANCEL_TYPE;

/* A cancellation token as a resource: freed when the last term referring to it is gone. */
typedef struct {
    fivetrex_cancel_token *token;
} cancel_res;

static void cancel_dtor(ErlNifEnv *env, void *obj) {
    (void)env;
    fivetrex_cancel_token_free(((cancel_res *)obj)->token);
}
static ErlNifResourceType *LIST_TYPE;

static ERL_NIF_TERM ATOM_OK, ATOM_ERROR, ATOM_DONE, ATOM_NIL, ATOM_TRUE, ATOM_FALSE, ATOM_INVALID_ARGUMENT;

static void client_dtor(ErlNifEnv *env, void *obj) {
    (void)env;
    client_res *r = obj;
    fivetrex_client_free(r->client);
    r->client = NULL;
}

static void list_dtor(ErlNifEnv *env, void *obj) {
    (void)env;
    list_res *r = obj;
    fivetrex_list_free(r->list);
    r->list = NULL;
    if (r->lock) enif_mutex_destroy(r->lock);
    r->lock = NULL;
}

/* ---- errors ---------------------------------------------------------------------------- */

/* The lower-case name of a status as an atom: :not_found, :rate_limited, ... */
static ERL_NIF_TERM status_atom(ErlNifEnv *env, int status) {
    const char *name = fivetrex_status_name(status);
    char lower[64];
    size_t i = 0;
    for (; name[i] && i < sizeof lower - 1; i++) {
        char c = name[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    lower[i] = '\0';
    return enif_make_atom(env, lower);
}

static ERL_NIF_TERM binary_of(ErlNifEnv *env, const char *s, size_t len) {
    ERL_NIF_TERM term;
    unsigned char *buf = enif_make_new_binary(env, len, &term);
    if (len) memcpy(buf, s, len);
    return term;
}

static ERL_NIF_TERM text_or_nil(ErlNifEnv *env, const char *s) {
    return s ? binary_of(env, s, strlen(s)) : ATOM_NIL;
}

/* {:error, {kind, http_status, message, api_code | nil, api_message | nil, retry_after_ms | -1}};
 * frees err. */
static ERL_NIF_TERM error_term(ErlNifEnv *env, fivetrex_status status, fivetrex_error *err) {
    ERL_NIF_TERM detail = enif_make_tuple6(
        env, status_atom(env, status), enif_make_uint(env, fivetrex_error_http_status(err)),
        text_or_nil(env, fivetrex_error_message(err)), text_or_nil(env, fivetrex_error_api_code(err)),
        text_or_nil(env, fivetrex_error_api_message(err)), enif_make_int64(env, fivetrex_error_retry_after_ms(err)));
    fivetrex_error_free(err);
    return enif_make_tuple2(env, ATOM_ERROR, detail);
}

/* A failure found in the NIF itself, shaped like the library's. */
static ERL_NIF_TERM refused(ErlNifEnv *env, const char *why) {
    ERL_NIF_TERM detail = enif_make_tuple6(env, ATOM_INVALID_ARGUMENT, enif_make_uint(env, 0),
                                           binary_of(env, why, strlen(why)), ATOM_NIL, ATOM_NIL,
                                           enif_make_int64(env, -1));
    return enif_make_tuple2(env, ATOM_ERROR, detail);
}

/* ---- conversions --------------------------------------------------------------------------- */

/* Decodes JSON text the library returned into a term; frees json. */
static int json_to_term(ErlNifEnv *env, char *json, ERL_NIF_TERM *out, ERL_NIF_TERM *error) {
    uint8_t *etf = NULL;
    size_t len = 0;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_elixir_json_to_etf(json, strlen(json), &etf, &len, &err);
    fivetrex_string_free(json);
    if (st != FIVETREX_STATUS_OK) {
        *error = error_term(env, st, err);
        return 0;
    }
    int ok = enif_binary_to_term(env, etf, len, out, ERL_NIF_BIN2TERM_SAFE) != 0;
    fivetrex_elixir_bytes_free(etf, len);
    if (!ok) *error = refused(env, "the library's answer could not be decoded as a term");
    return ok;
}

/* Encodes a term (nil gives NULL) as JSON text for the library; *json is freed with
 * fivetrex_string_free. */
static int term_to_json(ErlNifEnv *env, ERL_NIF_TERM term, char **json, ERL_NIF_TERM *error) {
    *json = NULL;
    if (enif_is_identical(term, ATOM_NIL)) return 1;
    ErlNifBinary bin;
    if (!enif_term_to_binary(env, term, &bin)) {
        *error = refused(env, "the argument could not be encoded");
        return 0;
    }
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_elixir_etf_to_json(bin.data, bin.size, json, &err);
    enif_release_binary(&bin);
    if (st != FIVETREX_STATUS_OK) {
        *error = error_term(env, st, err);
        return 0;
    }
    return 1;
}

/* A binary argument as a NUL-terminated copy (nil gives NULL when allow_nil). Freed with enif_free. */
static int c_string(ErlNifEnv *env, ERL_NIF_TERM term, int allow_nil, char **out) {
    *out = NULL;
    if (allow_nil && enif_is_identical(term, ATOM_NIL)) return 1;
    ErlNifBinary bin;
    if (!enif_inspect_binary(env, term, &bin)) return 0;
    if (memchr(bin.data, '\0', bin.size)) return 0;
    char *s = enif_alloc(bin.size + 1);
    if (!s) return 0;
    memcpy(s, bin.data, bin.size);
    s[bin.size] = '\0';
    *out = s;
    return 1;
}

static void free_all(char **strings, int n) {
    for (int i = 0; i < n; i++) enif_free(strings[i]);
}

static int get_u64(ErlNifEnv *env, ERL_NIF_TERM t, uint64_t *out) {
    ErlNifUInt64 v;
    if (!enif_get_uint64(env, t, &v)) return 0;
    *out = v;
    return 1;
}

/* ---- client -------------------------------------------------------------------------------- */

/* client_new(key, secret, base_url | nil,
 *            {connect_timeout_ms, timeout_ms, max_attempts, retry_base_delay_ms,
 *             max_retry_after_ms, retry_deadline_ms, max_requests_per_second, user_agent | nil})
 * -> {:ok, client} | {:error, detail} */
static ERL_NIF_TERM nif_client_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    char *s[4] = {NULL, NULL, NULL, NULL};
    const ERL_NIF_TERM *o;
    int arity;
    fivetrex_client_options opts;
    memset(&opts, 0, sizeof opts); opts.struct_size = sizeof opts;
    unsigned attempts;
    if (!c_string(env, argv[0], 0, &s[0]) || !c_string(env, argv[1], 0, &s[1]) ||
        !c_string(env, argv[2], 1, &s[2]) || !enif_get_tuple(env, argv[3], &arity, &o) || arity != 8 ||
        !get_u64(env, o[0], &opts.connect_timeout_ms) || !get_u64(env, o[1], &opts.timeout_ms) ||
        !enif_get_uint(env, o[2], &attempts) || !get_u64(env, o[3], &opts.retry_base_delay_ms) ||
        !get_u64(env, o[4], &opts.max_retry_after_ms) || !get_u64(env, o[5], &opts.retry_deadline_ms) ||
        !enif_get_double(env, o[6], &opts.max_requests_per_second) || !c_string(env, o[7], 1, &s[3])) {
        free_all(s, 4);
        return enif_make_badarg(env);
    }
    opts.max_attempts = attempts;
    opts.user_agent = s[3];
    fivetrex_client *client = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_client_new(s[0], s[1], s[2], &opts, &client, &err);
    free_all(s, 4);
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    client_res *r = enif_alloc_resource(CLIENT_TYPE, sizeof *r);
    r->client = client;
    ERL_NIF_TERM term = enif_make_resource(env, r);
    enif_release_resource(r);
    return enif_make_tuple2(env, ATOM_OK, term);
}

/* call(client, method, path, query | nil, body | nil) -> {:ok, answer} | {:error, detail}
 * The answer is the whole decoded envelope (nil for an empty body). */
static ERL_NIF_TERM nif_call(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    client_res *r;
    char *s[2] = {NULL, NULL};
    if (!enif_get_resource(env, argv[0], CLIENT_TYPE, (void **)&r) || !c_string(env, argv[1], 0, &s[0]) ||
        !c_string(env, argv[2], 0, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    ERL_NIF_TERM error;
    char *query = NULL, *body = NULL;
    if (!term_to_json(env, argv[3], &query, &error) || !term_to_json(env, argv[4], &body, &error)) {
        fivetrex_string_free(query);
        free_all(s, 2);
        return error;
    }
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_raw_call(r->client, s[0], s[1], query, body, &out, &err);
    fivetrex_string_free(query);
    fivetrex_string_free(body);
    free_all(s, 2);
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    ERL_NIF_TERM answer;
    if (!json_to_term(env, out, &answer, &error)) return error;
    return enif_make_tuple2(env, ATOM_OK, answer);
}

/* ---- lists --------------------------------------------------------------------------------- */

/* list_new(client, path, query | nil, page_size, cursor | nil) -> {:ok, list} | {:error, detail}
 * Sends nothing. */
static ERL_NIF_TERM nif_list_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    client_res *r;
    char *s[2] = {NULL, NULL};
    unsigned page_size;
    if (!enif_get_resource(env, argv[0], CLIENT_TYPE, (void **)&r) || !c_string(env, argv[1], 0, &s[0]) ||
        !enif_get_uint(env, argv[3], &page_size) || !c_string(env, argv[4], 1, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    ERL_NIF_TERM error;
    char *query = NULL;
    if (!term_to_json(env, argv[2], &query, &error)) {
        free_all(s, 2);
        return error;
    }
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options), .page_size = page_size, .cursor = s[1]};
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_raw_list(r->client, s[0], query, &opts, &list, &err);
    fivetrex_string_free(query);
    free_all(s, 2);
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    list_res *l = enif_alloc_resource(LIST_TYPE, sizeof *l);
    l->list = list;
    l->lock = enif_mutex_create("fivetrex_list");
    ERL_NIF_TERM term = enif_make_resource(env, l);
    enif_release_resource(l);
    return enif_make_tuple2(env, ATOM_OK, term);
}

typedef fivetrex_status (*step_fn)(fivetrex_list *, char **, fivetrex_error **);

static ERL_NIF_TERM list_step(ErlNifEnv *env, const ERL_NIF_TERM argv[], step_fn step) {
    list_res *l;
    if (!enif_get_resource(env, argv[0], LIST_TYPE, (void **)&l) || !l->lock) return enif_make_badarg(env);
    char *out = NULL;
    fivetrex_error *err = NULL;
    enif_mutex_lock(l->lock);
    fivetrex_status st = step(l->list, &out, &err);
    enif_mutex_unlock(l->lock);
    if (st == FIVETREX_STATUS_DONE) return ATOM_DONE;
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    ERL_NIF_TERM item, error;
    if (!json_to_term(env, out, &item, &error)) return error;
    return enif_make_tuple2(env, ATOM_OK, item);
}

/* list_next(list) -> {:ok, item} | :done | {:error, detail} */
static ERL_NIF_TERM nif_list_next(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return list_step(env, argv, fivetrex_list_next);
}

/* list_next_page(list) -> {:ok, %{"items" => [...], "next_cursor" => c | nil}} | :done | {:error, detail} */
static ERL_NIF_TERM nif_list_next_page(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return list_step(env, argv, fivetrex_list_next_page);
}

/* ---- typed operations --------------------------------------------------------------------- */

/* {:ok, decoded out} or {:error, detail}; frees out and err. */
static ERL_NIF_TERM json_result(ErlNifEnv *env, fivetrex_status st, char *out, fivetrex_error *err) {
    if (st != FIVETREX_STATUS_OK) {
        fivetrex_string_free(out);
        return error_term(env, st, err);
    }
    if (!out) return enif_make_tuple2(env, ATOM_OK, ATOM_NIL);
    ERL_NIF_TERM term, error;
    if (!json_to_term(env, out, &term, &error)) return error;
    return enif_make_tuple2(env, ATOM_OK, term);
}

static int get_client(ErlNifEnv *env, ERL_NIF_TERM t, fivetrex_client **out) {
    client_res *r;
    if (!enif_get_resource(env, t, CLIENT_TYPE, (void **)&r)) return 0;
    *out = r->client;
    return 1;
}

static int get_bool(ErlNifEnv *env, ERL_NIF_TERM t, bool *out) {
    (void)env;
    if (enif_is_identical(t, ATOM_TRUE)) *out = true;
    else if (enif_is_identical(t, ATOM_FALSE)) *out = false;
    else return 0;
    return 1;
}

/* An integer flag of a C option struct (0 or 1) from true or false. */
static int get_flag(ErlNifEnv *env, ERL_NIF_TERM t, uint32_t *out) {
    bool b;
    if (!get_bool(env, t, &b)) return 0;
    *out = b ? 1 : 0;
    return 1;
}

/* The shape most typed calls share: (client, string) -> JSON result. */
typedef fivetrex_status (*string_call)(const fivetrex_client *, const char *, char **, fivetrex_error **);

static ERL_NIF_TERM call_with_string(ErlNifEnv *env, const ERL_NIF_TERM argv[], string_call call) {
    fivetrex_client *c;
    char *arg;
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &arg)) return enif_make_badarg(env);
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = call(c, arg, &out, &err);
    enif_free(arg);
    return json_result(env, st, out, err);
}

/* (client, string, string) -> JSON result. */
typedef fivetrex_status (*two_string_call)(const fivetrex_client *, const char *, const char *, char **,
                                           fivetrex_error **);

static ERL_NIF_TERM call_with_two_strings(ErlNifEnv *env, const ERL_NIF_TERM argv[], two_string_call call) {
    fivetrex_client *c;
    char *s[2] = {NULL, NULL};
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &s[0]) || !c_string(env, argv[2], 0, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = call(c, s[0], s[1], &out, &err);
    free_all(s, 2);
    return json_result(env, st, out, err);
}

/* connection_get(client, id) */
static ERL_NIF_TERM nif_connection_get(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return call_with_string(env, argv, fivetrex_connection_get);
}

/* connection_create(client, body) */
static ERL_NIF_TERM nif_connection_create(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    if (!get_client(env, argv[0], &c)) return enif_make_badarg(env);
    ERL_NIF_TERM error;
    char *body = NULL;
    if (!term_to_json(env, argv[1], &body, &error)) return error;
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_create(c, body, &out, &err);
    fivetrex_string_free(body);
    return json_result(env, st, out, err);
}

/* connection_update(client, id, changes) */
static ERL_NIF_TERM nif_connection_update(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    char *id;
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &id)) return enif_make_badarg(env);
    ERL_NIF_TERM error;
    char *changes = NULL;
    if (!term_to_json(env, argv[2], &changes, &error)) {
        enif_free(id);
        return error;
    }
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_update(c, id, changes, &out, &err);
    fivetrex_string_free(changes);
    enif_free(id);
    return json_result(env, st, out, err);
}

/* connection_delete(client, id, confirm_id | nil) */
static ERL_NIF_TERM nif_connection_delete(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    char *s[2] = {NULL, NULL};
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &s[0]) || !c_string(env, argv[2], 1, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_delete(c, s[0], s[1], &out, &err);
    free_all(s, 2);
    return json_result(env, st, out, err);
}

/* connection_sync(client, id, force) */
static ERL_NIF_TERM nif_connection_sync(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    char *id;
    bool force;
    if (!get_client(env, argv[0], &c) || !get_bool(env, argv[2], &force) || !c_string(env, argv[1], 0, &id))
        return enif_make_badarg(env);
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_sync(c, id, force, &out, &err);
    enif_free(id);
    return json_result(env, st, out, err);
}

/* connection_resync(client, id, tables | nil, confirm_id | nil) */
static ERL_NIF_TERM nif_connection_resync(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    char *s[2] = {NULL, NULL};
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &s[0]) || !c_string(env, argv[3], 1, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    ERL_NIF_TERM error;
    char *tables = NULL;
    if (!term_to_json(env, argv[2], &tables, &error)) {
        free_all(s, 2);
        return error;
    }
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_resync(c, s[0], tables, s[1], &out, &err);
    fivetrex_string_free(tables);
    free_all(s, 2);
    return json_result(env, st, out, err);
}

/* group_get(client, id) */
static ERL_NIF_TERM nif_group_get(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return call_with_string(env, argv, fivetrex_group_get);
}

/* group_create(client, name) */
static ERL_NIF_TERM nif_group_create(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return call_with_string(env, argv, fivetrex_group_create);
}

/* group_update(client, id, name) */
static ERL_NIF_TERM nif_group_update(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return call_with_two_strings(env, argv, fivetrex_group_update);
}

/* group_delete(client, id, confirm_id) */
static ERL_NIF_TERM nif_group_delete(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return call_with_two_strings(env, argv, fivetrex_group_delete);
}

static ERL_NIF_TERM make_list(ErlNifEnv *env, fivetrex_status st, fivetrex_list *list, fivetrex_error *err) {
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    list_res *l = enif_alloc_resource(LIST_TYPE, sizeof *l);
    l->list = list;
    l->lock = enif_mutex_create("fivetrex_list");
    ERL_NIF_TERM term = enif_make_resource(env, l);
    enif_release_resource(l);
    return enif_make_tuple2(env, ATOM_OK, term);
}

/* groups_list(client, page_size, cursor | nil) -> {:ok, list}; sends nothing */
static ERL_NIF_TERM nif_groups_list(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    unsigned page_size;
    char *cursor;
    if (!get_client(env, argv[0], &c) || !enif_get_uint(env, argv[1], &page_size) || !c_string(env, argv[2], 1, &cursor))
        return enif_make_badarg(env);
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options), .page_size = page_size, .cursor = cursor};
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_group_list(c, &opts, &list, &err);
    enif_free(cursor);
    return make_list(env, st, list, err);
}

/* connections_list(client, group_id | nil, page_size, cursor | nil) -> {:ok, list}; sends nothing */
static ERL_NIF_TERM nif_connections_list(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    unsigned page_size;
    char *s[2] = {NULL, NULL};
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 1, &s[0]) || !enif_get_uint(env, argv[2], &page_size) ||
        !c_string(env, argv[3], 1, &s[1])) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    fivetrex_list_options opts = {.struct_size = sizeof(fivetrex_list_options), .page_size = page_size, .cursor = s[1]};
    fivetrex_list *list = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_list(c, s[0], &opts, &list, &err);
    free_all(s, 2);
    return make_list(env, st, list, err);
}

/* ---- sync and wait ------------------------------------------------------------------------- */

/* Progress reports go to a process as {:fivetrex_progress, poll, elapsed_ms, sync_state | nil,
 * status}; status is :ok or the transient failure the wait goes on after. */
typedef struct {
    ErlNifEnv *caller;
    ErlNifEnv *msg;
    ErlNifPid pid;
} progress_ctx;

static void on_progress(uint32_t poll, uint64_t elapsed_ms, const char *sync_state, fivetrex_status status,
                        void *userdata) {
    progress_ctx *p = userdata;
    ErlNifEnv *m = p->msg;
    ERL_NIF_TERM msg = enif_make_tuple5(m, enif_make_atom(m, "fivetrex_progress"), enif_make_uint(m, poll),
                                        enif_make_uint64(m, elapsed_ms), text_or_nil(m, sync_state),
                                        status_atom(m, status));
    enif_send(p->caller, &p->pid, m, msg);
    enif_clear_env(m);
}

static const char *OUTCOMES[] = {"succeeded", "failed", "timed_out", "paused", "broken", "rescheduled"};

/* Reads {poll_interval_ms, timeout_ms, force, resume_if_paused, return_when_rescheduled,
   cancel_token | nil}. The token stays alive with the argument term for the whole call. */
static int wait_options(ErlNifEnv *env, ERL_NIF_TERM t, fivetrex_wait_options *o) {
    const ERL_NIF_TERM *f;
    int arity;
    memset(o, 0, sizeof *o); o->struct_size = sizeof *o;
    if (!enif_get_tuple(env, t, &arity, &f) || arity != 6 || !get_u64(env, f[0], &o->poll_interval_ms) ||
        !get_u64(env, f[1], &o->timeout_ms) || !get_flag(env, f[2], &o->force) ||
        !get_flag(env, f[3], &o->resume_if_paused) || !get_flag(env, f[4], &o->return_when_rescheduled))
        return 0;
    if (enif_is_identical(f[5], ATOM_NIL)) return 1;
    cancel_res *r;
    if (!enif_get_resource(env, f[5], CANCEL_TYPE, (void **)&r)) return 0;
    o->cancel = r->token;
    return 1;
}

/* cancel_token_new() -> token */
static ERL_NIF_TERM nif_cancel_token_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    (void)argv;
    cancel_res *r = enif_alloc_resource(CANCEL_TYPE, sizeof *r);
    r->token = fivetrex_cancel_token_new();
    ERL_NIF_TERM term = enif_make_resource(env, r);
    enif_release_resource(r);
    return term;
}

/* cancel_token_cancel(token) -> :ok. Cheap: sets a flag and wakes the waiting thread. */
static ERL_NIF_TERM nif_cancel_token_cancel(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    cancel_res *r;
    if (!enif_get_resource(env, argv[0], CANCEL_TYPE, (void **)&r)) return enif_make_badarg(env);
    fivetrex_cancel_token_cancel(r->token);
    return ATOM_OK;
}

/* The common part of sync_and_wait and wait_for_sync: -> {:ok, outcome, details} | {:error, detail} */
static ERL_NIF_TERM wait(ErlNifEnv *env, const ERL_NIF_TERM argv[], int with_baseline) {
    fivetrex_client *c;
    char *s[2] = {NULL, NULL};
    fivetrex_wait_options opts;
    ERL_NIF_TERM opts_t = argv[2 + with_baseline], pid_t = argv[3 + with_baseline];
    progress_ctx progress = {.caller = env, .msg = NULL};
    int want_progress = !enif_is_identical(pid_t, ATOM_NIL);
    if (!get_client(env, argv[0], &c) || !c_string(env, argv[1], 0, &s[0]) ||
        (with_baseline && !c_string(env, argv[2], 1, &s[1])) || !wait_options(env, opts_t, &opts) ||
        (want_progress && !enif_get_local_pid(env, pid_t, &progress.pid))) {
        free_all(s, 2);
        return enif_make_badarg(env);
    }
    if (want_progress) {
        progress.msg = enif_alloc_env();
        opts.on_progress = on_progress;
        opts.on_progress_userdata = &progress;
    }
    fivetrex_sync_outcome outcome = FIVETREX_SYNC_OUTCOME_SUCCEEDED;
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = with_baseline ? fivetrex_connection_wait_for_sync(c, s[0], s[1], &opts, &outcome, &out, &err)
                                       : fivetrex_connection_sync_and_wait(c, s[0], &opts, &outcome, &out, &err);
    if (progress.msg) enif_free_env(progress.msg);
    free_all(s, 2);
    ERL_NIF_TERM result = json_result(env, st, out, err);
    const ERL_NIF_TERM *pair;
    int arity;
    if (st != FIVETREX_STATUS_OK || !enif_get_tuple(env, result, &arity, &pair) || arity != 2 ||
        !enif_is_identical(pair[0], ATOM_OK))
        return result;
    unsigned i = (unsigned)outcome;
    ERL_NIF_TERM name = i < sizeof OUTCOMES / sizeof *OUTCOMES ? enif_make_atom(env, OUTCOMES[i]) : ATOM_NIL;
    return enif_make_tuple3(env, ATOM_OK, name, pair[1]);
}

/* sync_and_wait(client, id, options, progress_pid | nil) */
static ERL_NIF_TERM nif_sync_and_wait(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return wait(env, argv, 0);
}

/* wait_for_sync(client, id, baseline | nil, options, progress_pid | nil) */
static ERL_NIF_TERM nif_wait_for_sync(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    return wait(env, argv, 1);
}

/* ---- JSON for callers and tests ------------------------------------------------------------ */

/* json_decode(binary) -> {:ok, term} | {:error, detail} */
static ERL_NIF_TERM nif_json_decode(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    ErlNifBinary bin;
    if (!enif_inspect_binary(env, argv[0], &bin)) return enif_make_badarg(env);
    uint8_t *etf = NULL;
    size_t len = 0;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_elixir_json_to_etf((const char *)bin.data, bin.size, &etf, &len, &err);
    if (st != FIVETREX_STATUS_OK) return error_term(env, st, err);
    ERL_NIF_TERM term;
    int ok = enif_binary_to_term(env, etf, len, &term, ERL_NIF_BIN2TERM_SAFE) != 0;
    fivetrex_elixir_bytes_free(etf, len);
    if (!ok) return refused(env, "the JSON could not be decoded as a term");
    return enif_make_tuple2(env, ATOM_OK, term);
}

/* json_encode(term) -> {:ok, binary} | {:error, detail} */
static ERL_NIF_TERM nif_json_encode(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    ERL_NIF_TERM error;
    char *json = NULL;
    if (enif_is_identical(argv[0], ATOM_NIL)) return enif_make_tuple2(env, ATOM_OK, binary_of(env, "null", 4));
    if (!term_to_json(env, argv[0], &json, &error)) return error;
    ERL_NIF_TERM out = binary_of(env, json, strlen(json));
    fivetrex_string_free(json);
    return enif_make_tuple2(env, ATOM_OK, out);
}

static ERL_NIF_TERM nif_version(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    (void)argv;
    return text_or_nil(env, fivetrex_version());
}

/* ---- many at once (fan-out) -------------------------------------------------------------- */

/* connections_by_id(client, [id], workers) -> {:ok, [item]} | {:error, detail}; items as
 * fivetrex_connection_get_many describes them, in input order. */
static ERL_NIF_TERM nif_connections_by_id(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    unsigned workers;
    char *ids = NULL;
    ERL_NIF_TERM error;
    if (!get_client(env, argv[0], &c) || !enif_is_list(env, argv[1]) || !enif_get_uint(env, argv[2], &workers))
        return enif_make_badarg(env);
    if (!term_to_json(env, argv[1], &ids, &error)) return error;
    fivetrex_fanout_options opts = {.struct_size = sizeof(fivetrex_fanout_options), .workers = workers, .completion_order = 0, .stop = NULL};
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_get_many(c, ids, &opts, NULL, NULL, &out, &err);
    fivetrex_string_free(ids);
    return json_result(env, st, out, err);
}

/* sync_and_wait_many(client, [id], wait_options, workers) -> {:ok, [item]} | {:error, detail} */
static ERL_NIF_TERM nif_sync_and_wait_many(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]) {
    (void)argc;
    fivetrex_client *c;
    unsigned workers;
    fivetrex_wait_options wait;
    char *ids = NULL;
    ERL_NIF_TERM error;
    if (!get_client(env, argv[0], &c) || !enif_is_list(env, argv[1]) || !wait_options(env, argv[2], &wait) ||
        !enif_get_uint(env, argv[3], &workers))
        return enif_make_badarg(env);
    if (!term_to_json(env, argv[1], &ids, &error)) return error;
    fivetrex_fanout_options opts = {.struct_size = sizeof(fivetrex_fanout_options), .workers = workers, .completion_order = 0, .stop = NULL};
    char *out = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_connection_sync_and_wait_many(c, ids, &wait, &opts, NULL, NULL, &out, &err);
    fivetrex_string_free(ids);
    return json_result(env, st, out, err);
}

/* ---- registration -------------------------------------------------------------------------- */

static int load(ErlNifEnv *env, void **priv, ERL_NIF_TERM info) {
    (void)priv;
    (void)info;
    ErlNifResourceFlags flags = ERL_NIF_RT_CREATE | ERL_NIF_RT_TAKEOVER;
    CLIENT_TYPE = enif_open_resource_type(env, NULL, "fivetrex_client", client_dtor, flags, NULL);
    LIST_TYPE = enif_open_resource_type(env, NULL, "fivetrex_list", list_dtor, flags, NULL);
    CANCEL_TYPE = enif_open_resource_type(env, NULL, "fivetrex_cancel_token", cancel_dtor, flags, NULL);
    if (!CLIENT_TYPE || !LIST_TYPE || !CANCEL_TYPE) return 1;
    ATOM_OK = enif_make_atom(env, "ok");
    ATOM_ERROR = enif_make_atom(env, "error");
    ATOM_DONE = enif_make_atom(env, "done");
    ATOM_NIL = enif_make_atom(env, "nil");
    ATOM_TRUE = enif_make_atom(env, "true");
    ATOM_FALSE = enif_make_atom(env, "false");
    ATOM_INVALID_ARGUMENT = enif_make_atom(env, "invalid_argument");
    return 0;
}

static ErlNifFunc nif_funcs[] = {
    /* May build a TLS configuration: a few ms of CPU, no I/O. */
    {"client_new", 4, nif_client_new, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    /* HTTP requests, retries and their sleeps. */
    {"call", 5, nif_call, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"list_next", 1, nif_list_next, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_get", 2, nif_connection_get, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_create", 2, nif_connection_create, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_update", 3, nif_connection_update, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_delete", 3, nif_connection_delete, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_sync", 3, nif_connection_sync, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"connection_resync", 4, nif_connection_resync, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"group_get", 2, nif_group_get, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"group_create", 2, nif_group_create, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"group_update", 3, nif_group_update, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"group_delete", 3, nif_group_delete, ERL_NIF_DIRTY_JOB_IO_BOUND},
    /* Polls (and sleeps between polls) for as long as the sync runs. */
    {"sync_and_wait", 4, nif_sync_and_wait, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"wait_for_sync", 5, nif_wait_for_sync, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"list_next_page", 1, nif_list_next_page, ERL_NIF_DIRTY_JOB_IO_BOUND},
    /* Sends nothing; the query is encoded (its size is the caller's). */
    {"list_new", 5, nif_list_new, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"groups_list", 3, nif_groups_list, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"connections_list", 4, nif_connections_list, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"json_decode", 1, nif_json_decode, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"json_encode", 1, nif_json_encode, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    /* Many requests (and waits) on worker threads; the calling thread waits for them all. */
    {"connections_by_id", 3, nif_connections_by_id, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"sync_and_wait_many", 4, nif_sync_and_wait_many, ERL_NIF_DIRTY_JOB_IO_BOUND},
    {"version", 0, nif_version, 0},
    {"cancel_token_new", 0, nif_cancel_token_new, 0},
    {"cancel_token_cancel", 1, nif_cancel_token_cancel, 0},
};

ERL_NIF_INIT(Elixir.Fivetrex.Native, nif_funcs, load, NULL, NULL, NULL)
