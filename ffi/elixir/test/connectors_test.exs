defmodule Fivetrex.ConnectorsTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.Connectors
  alias Fivetrex.Models.Connector

  test "list and stream a group's connectors over several pages" do
    api = FakeAPI.start(2, 23)
    c = client(api)
    assert {:ok, %{items: items, next_cursor: cursor}} = Connectors.list(c, "g1", limit: 5)
    assert [%Connector{id: "c1_0", group_id: "g1", service: "postgres", sync_frequency: 60} | _] = items
    assert is_binary(cursor)
    ids = c |> Connectors.stream("g1", limit: 5) |> Enum.map(& &1.id)
    assert ids == for(i <- 0..22, do: "c1_#{i}")
    assert FakeAPI.count(api, "GET /v1/groups/g1/connections") == 1 + 5
    assert {:error, %Fivetrex.Error{type: :not_found, code: "NotFound_Group"}} = Connectors.list(c, "nope")
  end

  test "get, create, update, pause, resume, delete" do
    api = FakeAPI.start(1, 1)
    c = client(api)

    assert {:ok,
            %Connector{id: "c0_0", status: %{"setup_state" => "connected"}, config: %{"password" => "******"}}} =
             Connectors.get(c, "c0_0")

    assert {:error, %Fivetrex.Error{type: :not_found, status: 404, code: "NotFound_Connector"}} =
             Connectors.get(c, "x")

    assert {:ok, %Connector{id: id, paused: true}} =
             Connectors.create(c, %{group_id: "g0", service: "postgres", paused: true})

    assert {:ok, %Connector{paused: false}} = Connectors.resume(c, id)
    assert {:ok, %Connector{sync_frequency: 1440}} = Connectors.update(c, id, %{sync_frequency: 1440})
    assert {:ok, %Connector{paused: true}} = Connectors.pause(c, id)
    assert :ok = Connectors.delete(c, id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Connectors.get(c, id)
  end

  test "sync triggers; resync! demands confirm: true before sending anything" do
    api = FakeAPI.start(1, 1)
    c = client(api)
    assert {:ok, %{"code" => "Success"}} = Connectors.sync(c, "c0_0")
    assert FakeAPI.count(api, "POST /v1/connections/c0_0/sync") == 1
    assert_raise ArgumentError, ~r/confirm: true/, fn -> Connectors.resync!(c, "c0_0", []) end
    assert_raise ArgumentError, fn -> Connectors.resync!(c, "c0_0", confirm: "yes") end
    assert FakeAPI.count(api, "POST /v1/connections/c0_0/resync") == 0

    assert {:ok, %{"code" => "Success"}} =
             Connectors.resync!(c, "c0_0", confirm: true, scope: %{"public" => ["users"]})

    assert FakeAPI.count(api, "POST /v1/connections/c0_0/resync") == 1
  end

  describe "sync_and_wait" do
    setup do
      api = FakeAPI.start(1, 6)
      %{api: api, c: client(api)}
    end

    @fast [poll_interval: 10, timeout: 5_000]

    test "succeeds when succeeded_at moves past the baseline", %{api: api, c: c} do
      assert {:ok, %{outcome: :succeeded, at: at, baseline: baseline, polls: polls, connector: conn}} =
               Connectors.sync_and_wait(c, "c0_0", @fast)

      assert DateTime.compare(at, baseline) == :gt and polls >= 1 and conn.succeeded_at == at
      assert FakeAPI.count(api, "POST /v1/connections/c0_0/sync") == 1
    end

    test "fails when failed_at moves, even before the first poll", %{api: api, c: c} do
      FakeAPI.set(api, "c0_1", outcome: "failure")

      assert {:ok, %{outcome: :failed, connector: %Connector{failed_at: %DateTime{}}}} =
               Connectors.sync_and_wait(c, "c0_1", @fast)

      FakeAPI.set(api, "c0_2", outcome: "failure", sync_ms: 0)
      assert {:ok, %{outcome: :failed, polls: 1}} = Connectors.sync_and_wait(c, "c0_2", poll_interval: 50)
    end

    test "times out when the sync never ends", %{api: api, c: c} do
      FakeAPI.set(api, "c0_3", outcome: "never")

      {time, result} =
        :timer.tc(fn -> Connectors.sync_and_wait(c, "c0_3", poll_interval: 10, timeout: 150) end)

      assert {:ok, %{outcome: :timed_out, polls: polls, at: nil}} = result
      assert polls >= 3 and time < 1_000_000
    end

    test "reports a paused connector instead of waiting, or resumes it", %{api: api, c: c} do
      FakeAPI.set(api, "c0_4", paused: true)
      assert {:ok, %{outcome: :paused}} = Connectors.sync_and_wait(c, "c0_4", @fast)
      assert FakeAPI.count(api, "POST /v1/connections/c0_4/sync") == 0

      assert {:ok, %{outcome: :succeeded}} =
               Connectors.sync_and_wait(c, "c0_4", [resume_if_paused: true] ++ @fast)
    end

    test "polls through transient errors, stops on a permanent one", %{api: api, c: c} do
      FakeAPI.set(api, "c0_5", sync_ms: 80)
      FakeAPI.inject(api, "GET", "/v1/connections/c0_5", %{delay: 0, times: 1})
      FakeAPI.inject(api, "GET", "/v1/connections/c0_5", %{status: 503, times: 2})
      c1 = client(api, max_attempts: 1)

      assert {:ok, %{outcome: :succeeded, polls: polls}} =
               Connectors.sync_and_wait(c1, "c0_5", poll_interval: 10)

      assert FakeAPI.count(api, "GET /v1/connections/c0_5") == polls + 1
      assert polls >= 3
      assert {:error, %Fivetrex.Error{type: :not_found}} = Connectors.sync_and_wait(c, "missing", @fast)
    end
  end
end
