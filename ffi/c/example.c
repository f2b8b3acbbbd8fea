/*
 * Lists every group and its connections.
 *
 *   FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=... ./example [base_url]
 *
 * Shows the whole pattern: a client, list handles walked to FIVETREX_STATUS_DONE, JSON strings
 * freed with fivetrex_string_free, errors read through their getters and freed.
 */
#include "fivetrex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(const char *what, fivetrex_status status, fivetrex_error *err) {
    fprintf(stderr, "%s failed: %s (HTTP %u, code %s): %s\n", what, fivetrex_status_name(status),
            (unsigned)fivetrex_error_http_status(err), fivetrex_error_api_code(err) ? fivetrex_error_api_code(err) : "-",
            fivetrex_error_message(err));
    fivetrex_error_free(err);
    return 1;
}

/* Copies the string value of "key" from a flat JSON object (enough for ids and names here; a real
 * program would use a JSON parser). */
static void field(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
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

int main(int argc, char **argv) {
    const char *base_url = argc > 1 ? argv[1] : NULL;
    const char *key = getenv("FIVETRAN_API_KEY");
    const char *secret = getenv("FIVETRAN_API_SECRET");
    printf("libfivetrex %s\n", fivetrex_version());

    fivetrex_client *client = NULL;
    fivetrex_error *err = NULL;
    fivetrex_status st = fivetrex_client_new(key, secret, base_url, NULL, &client, &err);
    if (st != FIVETREX_STATUS_OK) {
        return report("creating the client", st, err);
    }

    fivetrex_list *groups = NULL;
    st = fivetrex_group_list(client, NULL, &groups, &err);
    int failed = st != FIVETREX_STATUS_OK && report("listing groups", st, err);
    char *group = NULL;
    while (!failed && (st = fivetrex_list_next(groups, &group, &err)) == FIVETREX_STATUS_OK) {
        char id[128], name[256];
        field(group, "id", id, sizeof id);
        field(group, "name", name, sizeof name);
        fivetrex_string_free(group);
        printf("%s (%s)\n", name, id);

        fivetrex_list *connections = NULL;
        st = fivetrex_connection_list(client, id, NULL, &connections, &err);
        char *connection = NULL;
        while (st == FIVETREX_STATUS_OK && (st = fivetrex_list_next(connections, &connection, &err)) == FIVETREX_STATUS_OK) {
            char schema[256], service[128];
            field(connection, "schema", schema, sizeof schema);
            field(connection, "service", service, sizeof service);
            fivetrex_string_free(connection);
            printf("  %s [%s]\n", schema, service);
        }
        fivetrex_list_free(connections);
        if (st != FIVETREX_STATUS_DONE) {
            failed = report("listing connections", st, err);
        }
    }
    if (!failed && st != FIVETREX_STATUS_DONE) {
        failed = report("listing groups", st, err);
    }
    fivetrex_list_free(groups);
    fivetrex_client_free(client);
    return failed;
}
