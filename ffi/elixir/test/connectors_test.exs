defmodule Fivetrex.ConnectorsTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.Connectors
  alias Fivetrex.Models.Connector

  test "list and stream a group's connectors over several pages" do
    emu = Emulator.start(2, 23)
    [_, g1] = Emulator.group_ids(emu)
    ids = Emulator.connection_ids(emu, g1)
    c = client(emu)
    assert {:ok, %{items: items, next_cursor: cursor}} = Connectors.list(c, g1, limit: 5)

    assert [%Connector{group_id: ^g1, service: service, status: %{"setup_state" => _}, config: %{}} | _] =
             items

    assert is_binary(service) and is_binary(cursor)
    assert c |> Connectors.stream(g1, limit: 5) |> Enum.map(& &1.id) == ids
    assert length(ids) == 23
    assert Emulator.count(emu, "GET", "/v1/connections") == 1 + 5
    assert c |> Connectors.stream(nil, limit: 20) |> Enum.count() == 46
  end

  test "get, create, update, pause, resume, delete" do
    emu = Emulator.start(1, 1)
    [g0] = Emulator.group_ids(emu)
    [c0] = Emulator.connection_ids(emu, g0)
    c = client(emu)
    assert {:ok, %Connector{id: ^c0, status: %{"setup_state" => "connected"}}} = Connectors.get(c, c0)

    assert {:error, %Fivetrex.Error{type: :not_found, status: 404, code: "NotFound_Connector"}} =
             Connectors.get(c, "x")

    assert {:ok, %Connector{id: id, paused: true, config: config}} =
             Connectors.create(c, %{
               group_id: g0,
               service: "postgres",
               paused: true,
               config: %{schema: "from_elixir", password: "hunter2"}
             })

    refute inspect(config) =~ "hunter2"
    assert {:ok, %Connector{paused: false}} = Connectors.resume(c, id)
    assert {:ok, %Connector{sync_frequency: 1440}} = Connectors.update(c, id, %{sync_frequency: 1440})
    assert {:ok, %Connector{paused: true}} = Connectors.pause(c, id)
    assert {:error, %Fivetrex.Error{type: :confirmation_required}} = Connectors.delete(c, id)
    assert {:error, %Fivetrex.Error{type: :confirmation_required}} = Connectors.delete(c, id, confirm: "another")
    assert Emulator.count(emu, "DELETE", "/v1/connections/#{id}") == 0
    assert :ok = Connectors.delete(c, id, confirm: id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Connectors.get(c, id)

    assert {:error, %Fivetrex.Error{type: :invalid_argument}} =
             Connectors.create(c, %{group_id: g0})
  end

  test "sync triggers; resync! demands the user's confirmation before sending anything" do
    emu = Emulator.start(1, 1)
    [c0] = Emulator.connection_ids(emu, hd(Emulator.group_ids(emu)))
    c = client(emu)
    assert {:ok, %{"code" => "Success"}} = Connectors.sync(c, c0)
    assert Emulator.count(emu, "POST", "/v1/connections/#{c0}/sync") == 1
    assert_raise ArgumentError, ~r/confirm: <the connector's id>/, fn -> Connectors.resync!(c, c0, []) end
    assert_raise ArgumentError, fn -> Connectors.resync!(c, c0, confirm: true) end
    assert {:error, %Fivetrex.Error{type: :confirmation_required}} = Connectors.resync!(c, c0, confirm: "yes")

    assert {:error, %Fivetrex.Error{type: :confirmation_required}} =
             Connectors.resync!(c, c0, confirm: "yes", scope: %{"public" => ["users"]})

    assert Emulator.count(emu, "POST", "/v1/connections/#{c0}/resync") == 0
    Process.sleep(60)

    assert {:ok, %{"code" => "Success"}} =
             Connectors.resync!(c, c0, confirm: c0, scope: %{"public" => ["users"]})

    Process.sleep(60)
    assert {:ok, %{"code" => "Success"}} = Connectors.resync!(c, c0, confirm: c0)
    assert Emulator.count(emu, "POST", "/v1/connections/#{c0}/resync") == 2
  end

  describe "cancellation" do
    setup do
      emu = Emulator.start(1, 1)
      [id] = Emulator.connection_ids(emu, hd(Emulator.group_ids(emu)))
      Emulator.steer(emu, id, %{sync_duration_ms: 600_000})
      %{emu: emu, c: client(emu), id: id}
    end

    test "the wait is cancelled when the calling process exits", %{emu: emu, c: c, id: id} do
      caller = spawn(fn -> Connectors.sync_and_wait(c, id, poll_interval: 10, timeout: 60_000) end)
      Process.sleep(100)
      polling = Emulator.count(emu, "GET", "/v1/connections/#{id}")
      assert polling > 2
      Process.exit(caller, :kill)
      # Within 100 ms of the exit the library's wait has stopped: no more polls.
      Process.sleep(100)
      stopped = Emulator.count(emu, "GET", "/v1/connections/#{id}")
      Process.sleep(100)
      assert Emulator.count(emu, "GET", "/v1/connections/#{id}") == stopped
    end

    test "the call's own timeout cancels the wait", %{c: c, id: id} do
      # A 10 s poll interval: only the cancellation can end this wait early.
      {time, result} =
        :timer.tc(fn -> Connectors.sync_and_wait(c, id, poll_interval: 10_000, timeout: 60_000, call_timeout: 100) end)

      assert {:error, %Fivetrex.Error{type: :cancelled}} = result
      assert time < 200_000, "returned #{time} us after the start (100 ms call timeout)"
    end
  end

  describe "sync_and_wait" do
    setup do
      # In every seeded group, connection 7 is paused and 9 has a broken setup.
      emu = Emulator.start(1, 10)
      %{emu: emu, c: client(emu), ids: Emulator.connection_ids(emu, hd(Emulator.group_ids(emu)))}
    end

    @fast [poll_interval: 10, timeout: 5_000]

    test "succeeds when succeeded_at moves past the baseline", %{emu: emu, c: c, ids: ids} do
      id = Enum.at(ids, 0)

      assert {:ok, %{outcome: :succeeded, at: %DateTime{} = at, connector: conn}} =
               Connectors.sync_and_wait(c, id, @fast)

      assert conn.succeeded_at == at
      assert Emulator.count(emu, "POST", "/v1/connections/#{id}/sync") == 1
    end

    test "fails when failed_at moves, even before the first poll", %{emu: emu, c: c, ids: ids} do
      Emulator.steer(emu, Enum.at(ids, 1), %{sync_outcome: "failure"})

      assert {:ok, %{outcome: :failed, tasks: [_ | _], connector: %Connector{failed_at: %DateTime{}}}} =
               Connectors.sync_and_wait(c, Enum.at(ids, 1), @fast)

      Emulator.steer(emu, Enum.at(ids, 2), %{sync_outcome: "failure", sync_duration_ms: 0})

      assert {:ok, %{outcome: :failed}} =
               Connectors.sync_and_wait(c, Enum.at(ids, 2), poll_interval: 50, progress: self())

      assert_received {:fivetrex_progress, 1, _elapsed, _state, :ok}
      refute_received {:fivetrex_progress, 2, _, _, _}
    end

    test "times out when the sync never ends, and the wait can be resumed", %{emu: emu, c: c, ids: ids} do
      id = Enum.at(ids, 3)
      Emulator.steer(emu, id, %{sync_duration_ms: 400})
      {time, result} = :timer.tc(fn -> Connectors.sync_and_wait(c, id, poll_interval: 10, timeout: 150) end)
      assert {:ok, %{outcome: :timed_out, at: nil, triggered: true, baseline: %{succeeded_at: %DateTime{}} = baseline}} =
               result
      assert time < 1_000_000
      assert {:ok, %{outcome: :succeeded}} = Connectors.wait_for_sync(c, id, baseline, @fast)
      assert Emulator.count(emu, "POST", "/v1/connections/#{id}/sync") == 1
    end

    test "reports paused and broken connectors instead of waiting", %{emu: emu, c: c, ids: ids} do
      paused = Enum.at(ids, 7)
      assert {:ok, %{outcome: :paused, resumed: false}} = Connectors.sync_and_wait(c, paused, @fast)
      assert Emulator.count(emu, "POST", "/v1/connections/#{paused}/sync") == 0

      assert {:ok, %{outcome: :succeeded, resumed: true}} =
               Connectors.sync_and_wait(c, paused, [resume_if_paused: true] ++ @fast)

      assert {:ok, %{outcome: :broken, tasks: [_ | _]}} = Connectors.sync_and_wait(c, Enum.at(ids, 9), @fast)
      assert {:error, %Fivetrex.Error{type: :not_found}} = Connectors.sync_and_wait(c, "missing", @fast)
    end

    test "polls through transient errors", %{emu: emu, ids: ids} do
      id = Enum.at(ids, 4)
      Emulator.steer(emu, id, %{sync_duration_ms: 300})
      c = client(emu, max_attempts: 1)
      test = self()

      # After the first poll, the next two fail with 503: the wait goes on.
      injector =
        spawn_link(fn ->
          receive do
            {:fivetrex_progress, 1, _, _, :ok} = first ->
              Emulator.fault(emu, %{
                method: "GET",
                path: "/v1/connections/#{id}",
                kind: "status",
                status: 503,
                times: 2
              })

              send(test, first)
          end

          relay(test)
        end)

      assert {:ok, %{outcome: :succeeded}} =
               Connectors.sync_and_wait(c, id, poll_interval: 40, progress: injector)

      Process.sleep(50)
      statuses = collect([])
      assert Enum.count(statuses, &(&1 == :server_error or &1 == :server)) == 2, inspect(statuses)
    end
  end

  defp relay(to) do
    receive do
      msg ->
        send(to, msg)
        relay(to)
    end
  end

  defp collect(acc) do
    receive do
      {:fivetrex_progress, _poll, _elapsed, _state, status} -> collect([status | acc])
    after
      0 -> Enum.reverse(acc)
    end
  end

  test "a field the API adds tomorrow reaches Elixir as sent, and nothing is added" do
    emu = Emulator.start(1, 4)
    [g0] = Emulator.group_ids(emu)
    [_, target | _] = Emulator.connection_ids(emu, g0)
    Emulator.steer(emu, target, %{"extra_fields" => %{"added_tomorrow" => %{"list" => [1, "x", nil]}}})
    items = client(emu) |> Connectors.stream(g0, limit: 3) |> Enum.to_list()
    assert length(items) == 4
    assert [%Connector{raw: raw}] = Enum.filter(items, &(&1.id == target))
    assert raw["added_tomorrow"] == %{"list" => [1, "x", nil]}
    refute Enum.any?(items, &Map.has_key?(&1.raw, "proxy_agent_id"))
  end

  test "binaries with a NUL byte never reach C" do
    emu = Emulator.start(1, 1)
    [g0] = Emulator.group_ids(emu)
    [c0] = Emulator.connection_ids(emu, g0)
    c = client(emu)
    assert_raise ArgumentError, fn -> Connectors.get(c, c0 <> <<0>> <> "anything") end
    assert_raise ArgumentError, fn -> Fivetrex.Groups.delete(c, g0 <> <<0>> <> "x", confirm: g0) end
    assert Emulator.count(emu, "GET", "/v1/connections/" <> c0) == 0
    assert Emulator.count(emu, "DELETE", "/v1/groups/" <> g0) == 0
    assert {:ok, %Connector{id: ^c0}} = Connectors.get(c, c0)
  end
end
