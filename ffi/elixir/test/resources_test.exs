defmodule Fivetrex.ResourcesTest do
  @moduledoc "Fivetrex's request functions against the emulator: raw client, destinations, webhooks, schema config."
  use Fivetrex.Case, async: true

  alias Fivetrex.{Client, Connectors, Destinations, Webhooks, WebhookSignature}
  alias Fivetrex.Models.{Column, Connector, Destination, SchemaConfig, SyncStatus, Webhook, WebhookEvent}

  test "Client.get/post/patch/delete send under base_url, one request each, and decode errors" do
    emu = Emulator.start(2)
    c = client(emu)
    assert c.base_url == emu.url <> "/v1"

    assert {:ok, %{"code" => "Success", "data" => %{"items" => [_]}}} =
             Client.get(c, "/groups", params: [limit: 1])

    assert {:ok, %{"data" => %{"items" => [_, _]}}} = Client.get(c, "groups", params: %{})
    assert {:ok, %{"data" => %{"id" => id, "name" => "raw"}}} = Client.post(c, "/groups", %{name: "raw"})
    assert {:ok, %{"data" => %{"name" => "raw2"}}} = Client.patch(c, "/groups/#{id}", %{name: "raw2"})
    assert {:ok, %{"code" => "Success"}} = Client.delete(c, "/groups/#{id}")
    assert {:error, %Fivetrex.Error{type: :not_found, status: 404}} = Client.delete(c, "/groups/#{id}")
    assert Emulator.count(emu, "DELETE", "/v1/groups/#{id}") == 2

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :invalid_request, status: 400}} =
             Client.post(c, "/groups")

    Emulator.fault(emu, %{method: "GET", path: "/v1/groups", kind: "status", status: 500, times: 1})
    assert {:error, %Fivetrex.Error{type: :server_error, status: 500}} = Client.get(c, "/groups")
    assert Emulator.count(emu, "GET", "/v1/groups") == 3
  end

  test "a refused connection is :unknown with the transport reason" do
    {:ok, l} = :gen_tcp.listen(0, ip: {127, 0, 0, 1})
    {:ok, port} = :inet.port(l)
    :gen_tcp.close(l)
    c = Fivetrex.client(api_key: "k", api_secret: "s", base_url: "http://127.0.0.1:#{port}/v1")

    assert {:error, %Fivetrex.Error{type: :unknown, status: nil, reason: reason, message: m}} =
             Client.get(c, "/groups")

    assert reason in [:transport, :timeout] and is_binary(m)
  end

  test "with_retry retries a 503 under the one-request client, counting requests and waits" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)
    c = client(emu)
    Emulator.fault(emu, %{method: "GET", path: "/v1/groups/#{g0}", kind: "status", status: 503, times: 2})
    me = self()

    assert {:ok, %Fivetrex.Models.Group{id: ^g0}} =
             Fivetrex.with_retry(fn -> Fivetrex.Groups.get(c, g0) end,
               base_delay_ms: 5,
               on_retry: fn e, n, d -> send(me, {:retry, e.status, n, d}) end
             )

    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 3
    assert_received {:retry, 503, 1, 5}
    assert_received {:retry, 503, 2, 10}
  end

  test "destinations: create, get, update, test, delete" do
    emu = Emulator.start(0)
    c = client(emu)
    {:ok, group} = Fivetrex.Groups.create(c, %{name: "dest_group"})

    assert {:ok, %Destination{id: id, service: "snowflake", region: "GCP_US_EAST4", config: %{}}} =
             Destinations.create(c, %{
               group_id: group.id,
               service: "snowflake",
               region: "GCP_US_EAST4",
               time_zone_offset: "-5",
               config: %{host: "h", password: "p"}
             })

    assert {:ok, %Destination{id: ^id, time_zone_offset: "-5"}} = Destinations.get(c, id)
    assert {:ok, %Destination{time_zone_offset: "+3"}} = Destinations.update(c, id, %{time_zone_offset: "+3"})
    assert {:ok, %{"setup_tests" => [_ | _]}} = Destinations.test(c, id)

    assert {:error, %Fivetrex.Error{reason: :confirmation_required}} =
             Destinations.delete(c, id, confirm: "x")

    assert :ok = Destinations.delete(c, id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Destinations.get(c, id)
  end

  test "webhooks: CRUD, pages, and a signed test delivery the plug accepts" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)
    c = client(emu)
    sink = Fivetrex.HttpSink.start()

    assert {:ok, %Webhook{id: hook, type: "account", active: true, created_at: %DateTime{}}} =
             Webhooks.create_account(c, %{
               url: sink <> "/hook",
               events: ["sync_end"],
               active: true,
               secret: "hook_secret"
             })

    assert {:ok, %Webhook{type: "group", group_id: ^g0} = gh} =
             Webhooks.create_group(c, g0, %{url: "https://example.com/g", events: ["sync_start", "sync_end"]})

    assert Webhook.group_level?(gh)

    {:ok, %Webhook{id: third}} =
      Webhooks.create_account(c, %{url: "https://example.com/3", events: ["sync_end"]})

    assert {:ok, %{items: [_], next_cursor: cursor}} = Webhooks.list(c, limit: 1)
    assert {:ok, %{items: [_], next_cursor: _}} = Webhooks.list(c, limit: 1, cursor: cursor)

    assert c |> Webhooks.stream(limit: 1) |> Enum.map(& &1.id) |> Enum.sort() ==
             Enum.sort([hook, gh.id, third])

    assert {:ok, %Webhook{active: false}} = Webhooks.update(c, third, %{active: false})
    assert {:ok, %Webhook{active: false, events: ["sync_end"]}} = Webhooks.get(c, third)
    assert :ok = Webhooks.delete(c, third)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Webhooks.delete(c, third)

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :invalid_request, status: 400}} =
             Webhooks.test(c, hook)

    assert {:ok, %{}} = Webhooks.test(c, hook, event: "sync_end")
    assert_receive {:http_sink, "POST", "/hook", headers, body}, 5_000
    {_, signature} = List.keyfind(headers, WebhookSignature.signature_header(), 0)
    assert :ok = WebhookSignature.verify(body, signature, "hook_secret")

    conn =
      Plug.Conn.new("POST", body, [{WebhookSignature.signature_header(), signature}])
      |> Plug.Conn.put_private(:fivetrex_raw_body, body)
      |> Fivetrex.WebhookPlug.call(Fivetrex.WebhookPlug.init(secret: "hook_secret"))

    refute conn.halted

    assert %WebhookEvent{event: "sync_end", status: nil, data: %{"status" => "SUCCESSFUL"}} =
             conn.assigns.fivetran_event
  end

  test "connector state, schema configuration, columns, sync status and frequency" do
    emu = Emulator.start(1, 1)
    [g0] = Emulator.group_ids(emu)
    [id] = Emulator.connection_ids(emu, g0)
    c = client(emu)
    assert {:ok, %{"state" => _}} = Connectors.get_state(c, id)
    assert {:ok, %SchemaConfig{schemas: schemas} = config} = Connectors.get_schema_config(c, id)
    [{schema, %{tables: tables}}] = Map.to_list(schemas)
    [{table, _} | _] = Map.to_list(tables)
    assert is_binary(config.schema_change_handling)
    assert {:ok, columns} = Connectors.get_table_columns(c, id, schema, table)
    assert [%Column{} | _] = Map.values(columns)

    assert {:ok, %SchemaConfig{schemas: %{^schema => %{tables: %{^table => %{enabled: false}}}}}} =
             Connectors.update_schema_config(c, id, %{
               schemas: %{schema => %{tables: %{table => %{enabled: false}}}}
             })

    assert {:ok, %SchemaConfig{}} = Connectors.reload_schema_config(c, id)
    assert {:ok, %SchemaConfig{}} = Connectors.reload_schema_config(c, id, exclude_mode: "PRESERVE")
    assert Emulator.count(emu, "POST", "/v1/connections/#{id}/schemas/reload") == 2
    assert {:ok, %SyncStatus{sync_state: state}} = Connectors.get_sync_status(c, id)
    assert is_binary(state)

    assert {:ok, %Connector{sync_frequency: 1440, schedule_type: "manual"}} =
             Connectors.set_sync_frequency(c, id, 1440, schedule_type: "manual", daily_sync_time: "14:00")

    assert {:ok, %Connector{sync_frequency: 60}} = Connectors.set_sync_frequency(c, id, 60)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Connectors.get_schema_config(c, "missing")
  end
end
