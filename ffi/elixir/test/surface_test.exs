defmodule Fivetrex.SurfaceTest do
  @moduledoc "Fivetrex's functions that send nothing: errors, retry, pagination, models, signatures, the plug."
  use ExUnit.Case, async: true

  alias Fivetrex.{Error, Retry, WebhookPlug, WebhookSignature}

  alias Fivetrex.Models.{
    Column,
    Connector,
    Destination,
    Group,
    LogEntry,
    Schema,
    SchemaConfig,
    SyncStatus,
    Table
  }

  alias Fivetrex.Models.{Webhook, WebhookEvent}

  # The iex> examples of Fivetrex.Retry's docs, as plain tests: a `doctest` line would change
  # mix test's closing line to "N doctests, N tests, ..." which the host runner does not read.
  test "the documented Retry examples hold" do
    assert Retry.default_retry_predicate(%Error{type: :server_error})
    refute Retry.default_retry_predicate(%Error{type: :unauthorized})
    assert Retry.calculate_delay(Error.server_error("busy", 503), 2, 500, 30_000, false) == 1000
    assert Retry.calculate_delay(Error.rate_limited("slow", 20), 1, 500, 30_000, false) == 20000
    assert Retry.calculate_delay(Error.rate_limited("slow", 120), 1, 500, 30_000, false) == 30000
  end

  describe "Fivetrex.Error" do
    test "constructors set type, status and retry_after, and raise with their message" do
      assert %Error{type: :unauthorized, status: 401, message: "no", retry_after: nil} =
               Error.unauthorized("no")

      assert %Error{type: :not_found, status: 404, message: "gone"} = Error.not_found("gone")
      assert %Error{type: :rate_limited, status: 429, retry_after: 30} = Error.rate_limited("slow", 30)
      assert %Error{type: :rate_limited, retry_after: nil} = Error.rate_limited("slow", nil)
      assert %Error{type: :server_error, status: 502} = Error.server_error("bad gateway", 502)
      assert %Error{type: :unknown, status: nil, message: "refused"} = Error.unknown("refused", nil)
      assert Error.message(Error.not_found("gone")) == "gone"
      assert Exception.message(Error.unauthorized("")) == ""
      assert_raise Error, "teapot", fn -> raise Error.unknown("teapot", 418) end
      assert Error.exception(message: "x", type: :unknown) == %Error{message: "x", type: :unknown}
    end

    test "native errors keep Fivetrex's five types and put the detail beside them" do
      e = Error.from_native({:forbidden, 403, "HTTP 403: denied", "Forbidden", "You may not", -1})

      assert %Error{
               type: :unknown,
               reason: :forbidden,
               status: 403,
               code: "Forbidden",
               message: "You may not"
             } = e

      e = Error.from_native({:not_found, 404, "HTTP 404", nil, nil, -1})
      assert %Error{type: :not_found, message: "Not found", detail: "HTTP 404"} = e
      e = Error.from_native({:rate_limited, 429, "HTTP 429", nil, nil, 1_500})
      assert %Error{type: :rate_limited, retry_after: 2, message: "Rate limited"} = e
      e = Error.from_native({:transport, 0, "connection refused", nil, nil, -1})
      assert %Error{type: :unknown, reason: :transport, status: nil, message: "connection refused"} = e

      assert %Error{type: :server_error, reason: :server_error, status: 503} =
               Error.from_native({:server, 503, "HTTP 503", nil, nil, -1})
    end
  end

  describe "Fivetrex.Retry" do
    defp sequence(results) do
      counter = :counters.new(1, [])

      fun = fn ->
        :counters.add(counter, 1, 1)
        Enum.at(results, :counters.get(counter, 1) - 1, List.last(results))
      end

      {fun, fn -> :counters.get(counter, 1) end}
    end

    test "retries retryable errors with doubling waits, then returns the success" do
      {fun, calls} =
        sequence([{:error, Error.server_error("a", 503)}, {:error, Error.server_error("b", 502)}, {:ok, 1}])

      me = self()

      assert {:ok, 1} =
               Retry.with_backoff(fun,
                 max_attempts: 5,
                 base_delay_ms: 10,
                 sleep: &send(me, {:slept, &1}),
                 on_retry: fn e, n, d -> send(me, {:retry, e.message, n, d}) end
               )

      assert calls.() == 3
      assert_received {:retry, "a", 1, 10}
      assert_received {:retry, "b", 2, 20}
      assert_received {:slept, 10}
      assert_received {:slept, 20}
    end

    test "stops at max_attempts, at a non-retryable error, and follows retry_if" do
      {fun, calls} = sequence([{:error, Error.rate_limited("r", nil)}])

      assert {:error, %Error{type: :rate_limited}} =
               Retry.with_backoff(fun, max_attempts: 3, sleep: fn _ -> :ok end)

      assert calls.() == 3

      {fun, calls} = sequence([{:error, Error.not_found("n")}])
      assert {:error, %Error{type: :not_found}} = Retry.with_backoff(fun, sleep: fn _ -> :ok end)
      assert calls.() == 1

      {fun, calls} = sequence([{:error, Error.unknown("u", 418)}, {:ok, :x}])
      assert {:ok, :x} = Retry.with_backoff(fun, retry_if: &(&1.type == :unknown), sleep: fn _ -> :ok end)
      assert calls.() == 2
    end

    test "Fivetrex.with_retry/1,2 is the same loop; the default sleeps for real" do
      {fun, calls} = sequence([{:error, Error.server_error("s", 500)}, {:ok, :y}])
      {time, result} = :timer.tc(fn -> Fivetrex.with_retry(fun, base_delay_ms: 30) end)
      assert result == {:ok, :y} and calls.() == 2
      assert time >= 30_000
      assert Fivetrex.with_retry(fn -> {:ok, :z} end) == {:ok, :z}
    end

    test "delays: Retry-After wins for 429s, exponential otherwise, capped, jitter within 25 %" do
      assert Retry.calculate_delay(Error.rate_limited("r", 60), 1, 1000, 120_000, false) == 60_000
      assert Retry.calculate_delay(Error.rate_limited("r", 300), 1, 1000, 30_000, false) == 30_000
      assert Retry.calculate_delay(Error.rate_limited("r", nil), 2, 1000, 30_000, false) == 2000
      assert Retry.calculate_delay(Error.server_error("s", 500), 4, 1000, 30_000, false) == 8000
      assert Retry.calculate_delay(Error.server_error("s", 500), 10_000, 1000, 30_000, false) == 30_000
      delays = for _ <- 1..50, do: Retry.calculate_delay(Error.server_error("s", 500), 1, 1000, 30_000, true)
      assert Enum.all?(delays, &(&1 > 1000 and &1 <= 1250)) and length(Enum.uniq(delays)) > 1
      assert Retry.default_retry_predicate(Error.server_error("s", 500))
      refute Retry.default_retry_predicate(Error.unauthorized("u"))
    end
  end

  describe "Fivetrex.Stream.paginate/1" do
    test "follows cursors lazily and raises a page's error" do
      me = self()

      pages = fn
        nil -> send(me, :p1) && {:ok, %{items: [1, 2], next_cursor: "c1"}}
        "c1" -> send(me, :p2) && {:ok, %{items: [3], next_cursor: "c2"}}
        "c2" -> {:error, Error.server_error("boom", 500)}
      end

      assert Fivetrex.Stream.paginate(pages) |> Enum.take(2) == [1, 2]
      assert_received :p1
      refute_received :p2
      assert_raise Error, "boom", fn -> pages |> Fivetrex.Stream.paginate() |> Enum.to_list() end
    end

    test "a repeated cursor ends the walk with an error instead of a loop" do
      pages = fn _ -> {:ok, %{items: [:x], next_cursor: "same"}} end
      e = assert_raise Error, fn -> pages |> Fivetrex.Stream.paginate() |> Enum.to_list() end
      assert e.reason == :repeated_cursor
    end
  end

  describe "models" do
    test "strings stay strings, nil where absent, unknown keys ignored" do
      assert %Group{id: "g", name: nil, created_at: "2024-01-15T10:30:00Z"} =
               Group.from_map(%{"id" => "g", "created_at" => "2024-01-15T10:30:00Z", "x" => 1})

      c = Connector.from_map(%{"id" => "c", "service_version" => 1, "status" => %{"setup_state" => "broken"}})

      assert %Connector{paused: nil, config: nil, created_at: nil, setup_state: "broken", service_version: 1} =
               c

      assert Connector.broken?(c)

      assert %Destination{id: "d", time_zone_offset: "-5", config: nil} =
               Destination.from_map(%{"id" => "d", "time_zone_offset" => "-5"})
    end

    test "? helpers never raise on nil" do
      empty = %Connector{}
      refute Connector.syncing?(empty)
      refute Connector.paused?(empty)
      assert Connector.sync_state(empty) == nil
      assert Connector.sync_state(%Connector{status: %{"sync_state" => "rescheduled"}}) == "rescheduled"
      assert Connector.syncing?(%Connector{status: %{"sync_state" => "syncing"}})

      refute SyncStatus.syncing?(%SyncStatus{}) or SyncStatus.paused?(%SyncStatus{}) or
               SyncStatus.scheduled?(%SyncStatus{})

      refute WebhookEvent.successful?(%WebhookEvent{}) or WebhookEvent.failed?(%WebhookEvent{})
      refute Webhook.account_level?(%Webhook{}) or Webhook.group_level?(%Webhook{})

      refute LogEntry.sync_start?(%LogEntry{}) or LogEntry.sync_end?(%LogEntry{}) or
               LogEntry.schema_change?(%LogEntry{})

      assert Connector.last_sync_at(empty) == nil
    end

    test "schema configuration nests Schema, Table and Column structs" do
      config =
        SchemaConfig.from_map(%{
          "schema_change_handling" => "ALLOW_ALL",
          "schemas" => %{
            "public" => %{
              "enabled" => true,
              "tables" => %{
                "users" => %{
                  "sync_mode" => "SOFT_DELETE",
                  "columns" => %{"id" => %{"is_primary_key" => true, "type" => "INTEGER"}}
                }
              }
            }
          }
        })

      assert %SchemaConfig{schema_change_handling: "ALLOW_ALL", enable_new_by_default: nil} = config

      assert %Schema{enabled: true, tables: %{"users" => %Table{sync_mode: "SOFT_DELETE", columns: columns}}} =
               config.schemas["public"]

      assert %{"id" => %Column{is_primary_key: true, type: "INTEGER", hashed: nil}} = columns
      assert %SchemaConfig{schemas: nil} = SchemaConfig.from_map(%{})
    end

    test "SyncStatus, Webhook, WebhookEvent and LogEntry parse their timestamps" do
      s =
        SyncStatus.from_connector(%Connector{
          status: %{"sync_state" => "paused", "is_historical_sync" => true},
          succeeded_at: "2024-06-15T14:30:00Z",
          failed_at: "nope"
        })

      assert %SyncStatus{
               sync_state: "paused",
               is_historical_sync: true,
               succeeded_at: ~U[2024-06-15 14:30:00Z],
               failed_at: nil
             } = s

      assert SyncStatus.paused?(s)
      assert SyncStatus.from_connector(%Connector{status: nil}).sync_state == nil

      w =
        Webhook.from_map(%{
          "id" => "w",
          "type" => "group",
          "group_id" => "g",
          "created_at" => "2024-01-01T00:00:00Z"
        })

      assert %Webhook{created_at: ~U[2024-01-01 00:00:00Z], url: nil} = w
      assert Webhook.group_level?(w) and not Webhook.account_level?(w)

      e =
        WebhookEvent.from_map(%{
          "event" => "sync_end",
          "created" => "2021-08-18T11:38:34.386Z",
          "group_id" => "old",
          "status" => "FAILED",
          "new" => 42
        })

      assert %WebhookEvent{
               created: ~U[2021-08-18 11:38:34.386Z],
               destination_group_id: "old",
               extra: %{"new" => 42}
             } = e

      assert WebhookEvent.sync_end?(e) and WebhookEvent.failed?(e) and not WebhookEvent.sync_start?(e)

      assert WebhookEvent.from_map(%{"group_id" => "a", "destination_group_id" => "b"}).destination_group_id ==
               "b"

      [a, b] =
        LogEntry.from_rows([
          %{"id" => "1", "event" => "alter_table", "time_stamp" => "2024-01-15T10:30:00+05:00"},
          %{"time_stamp" => 5}
        ])

      assert a.time_stamp == ~U[2024-01-15 05:30:00Z] and LogEntry.schema_change?(a)
      assert b.time_stamp == nil and b.id == nil
    end
  end

  describe "Fivetrex.SyncLogs" do
    test "every template reads the log table for one connector" do
      for type <- [:recent_syncs, :failed_syncs, :sync_duration, :schema_changes] do
        sql = Fivetrex.SyncLogs.query_example(type)
        assert sql =~ "fivetran_metadata.log" and sql =~ "'your_connector_id'", "#{type}"
      end

      assert_raise ArgumentError, fn -> Fivetrex.SyncLogs.query_example(:other) end
    end
  end

  describe "Fivetrex.WebhookSignature" do
    @payload ~s({"event":"sync_end"})
    test "upper-case HMAC-SHA256 hex, verified in any case, refused when anything differs" do
      sig = WebhookSignature.compute_signature(@payload, "s3cret")
      assert sig == :crypto.mac(:hmac, :sha256, "s3cret", @payload) |> Base.encode16()
      assert sig =~ ~r/^[0-9A-F]{64}$/
      assert :ok = WebhookSignature.verify(@payload, sig, "s3cret")
      assert :ok = WebhookSignature.verify(@payload, String.downcase(sig), "s3cret")
      assert {:error, :invalid_signature} = WebhookSignature.verify(@payload <> " ", sig, "s3cret")
      assert {:error, :invalid_signature} = WebhookSignature.verify(@payload, sig, "other")

      assert {:error, :invalid_signature} =
               WebhookSignature.verify(@payload, binary_part(sig, 0, 63), "s3cret")

      assert {:error, :missing_signature} = WebhookSignature.verify(@payload, nil, "s3cret")
      assert {:error, :missing_signature} = WebhookSignature.verify(@payload, "", "s3cret")
      assert WebhookSignature.signature_header() == "x-fivetran-signature-256"
    end
  end

  describe "Fivetrex.WebhookPlug with a stand-in Plug.Conn" do
    @secret "plug_secret"
    @body ~s({"event":"sync_start","connector_id":"c1","data":{"status":"SUCCESSFUL"}})

    defp conn(body, signature) do
      headers =
        if signature, do: [{"x-fivetrex-other", "1"}, {"x-fivetran-signature-256", signature}], else: []

      body |> then(&Plug.Conn.new("POST", &1, headers)) |> Plug.Conn.put_private(:fivetrex_raw_body, body)
    end

    test "init checks the options" do
      assert_raise KeyError, fn -> WebhookPlug.init([]) end
      assert %{secret: {:system, "X"}, event_key: :fivetran_event} = WebhookPlug.init(secret: {:system, "X"})
      assert %{event_key: :ev} = WebhookPlug.init(secret: "s", event_key: :ev)
    end

    test "a signed payload is assigned as a WebhookEvent, with the raw body" do
      opts = WebhookPlug.init(secret: @secret)
      conn = WebhookPlug.call(conn(@body, WebhookSignature.compute_signature(@body, @secret)), opts)
      refute conn.halted
      assert %WebhookEvent{event: "sync_start", connector_id: "c1"} = conn.assigns.fivetran_event
      assert conn.assigns.raw_body == @body

      opts = WebhookPlug.init(secret: {__MODULE__, :secret, []}, event_key: :ev)
      conn = WebhookPlug.call(conn(@body, WebhookSignature.compute_signature(@body, @secret)), opts)
      assert %WebhookEvent{} = conn.assigns.ev
      refute Map.has_key?(conn.assigns, :fivetran_event)
    end

    test "failures answer 400/401/422 as JSON and halt; on_error replaces the answer" do
      opts = WebhookPlug.init(secret: @secret)

      check = fn conn, status, message ->
        assert conn.halted and conn.status == status
        assert {:ok, %{"error" => ^message}} = Fivetrex.Native.json_decode(conn.resp_body)
      end

      check.(WebhookPlug.call(conn(@body, "BAD"), opts), 401, "Invalid signature")
      check.(WebhookPlug.call(conn(@body, nil), opts), 400, "Missing signature header")
      check.(WebhookPlug.call(conn(@body, ""), opts), 400, "Missing signature header")

      check.(
        WebhookPlug.call(Plug.Conn.new("POST", @body, [{"x-fivetran-signature-256", "A"}]), opts),
        400,
        "Missing request body"
      )

      for bad <- ["not json {", "[1,2]"] do
        check.(
          WebhookPlug.call(conn(bad, WebhookSignature.compute_signature(bad, @secret)), opts),
          422,
          "Invalid JSON payload"
        )
      end

      handler = fn conn, reason -> conn |> Plug.Conn.send_resp(403, "no: #{reason}") |> Plug.Conn.halt() end
      conn = WebhookPlug.call(conn(@body, "BAD"), WebhookPlug.init(secret: @secret, on_error: handler))
      assert {conn.status, conn.resp_body} == {403, "no: invalid_signature"}
    end

    test "a {:system, var} secret is read per request and must exist" do
      System.put_env("FIVETREX_PLUG_TEST_SECRET", @secret)
      opts = WebhookPlug.init(secret: {:system, "FIVETREX_PLUG_TEST_SECRET"})
      refute WebhookPlug.call(conn(@body, WebhookSignature.compute_signature(@body, @secret)), opts).halted
      System.delete_env("FIVETREX_PLUG_TEST_SECRET")

      assert_raise RuntimeError, ~r/FIVETREX_PLUG_TEST_SECRET/, fn ->
        WebhookPlug.call(conn(@body, "A"), opts)
      end
    end

    test "cache_raw_body keeps the whole body, also when read in parts" do
      assert {:ok, "whole", conn} = WebhookPlug.cache_raw_body(Plug.Conn.new("POST", "whole"), [])
      assert conn.private.fivetrex_raw_body == "whole"
      assert {:more, "abc", conn} = WebhookPlug.cache_raw_body(Plug.Conn.new("POST", "abcdef"), length: 3)
      assert {:ok, "def", conn} = WebhookPlug.cache_raw_body(conn, length: 3)
      assert conn.private.fivetrex_raw_body == "abcdef"
    end
  end

  def secret, do: @secret
end
