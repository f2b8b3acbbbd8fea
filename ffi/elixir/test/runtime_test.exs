defmodule Fivetrex.RuntimeTest do
  # Not async: these tests watch the schedulers and the garbage collector.
  use Fivetrex.Case, async: false

  alias Fivetrex.{Connectors, Groups}

  test "one client shared by many processes" do
    api = FakeAPI.start(30, 3)
    c = client(api)
    workers = 16

    results =
      1..workers
      |> Enum.map(fn w ->
        Task.async(fn ->
          ids = c |> Groups.stream(limit: 7) |> Enum.map(& &1.id)
          {:ok, g} = Groups.get(c, "g#{w}")
          {:ok, conn} = Connectors.get(c, "c#{w}_1")
          {length(ids), g.id, conn.group_id}
        end)
      end)
      |> Task.await_many(30_000)

    assert results == for(w <- 1..workers, do: {30, "g#{w}", "g#{w}"})
    assert FakeAPI.count(api, "GET /v1/groups") == workers * 5
  end

  test "the VM keeps running while slow requests block in the NIF" do
    api = FakeAPI.start(1)
    # More slow requests than there are normal schedulers: were the NIF on a normal scheduler,
    # every scheduler would be stuck and the ticker would stop for the whole delay.
    slow = System.schedulers_online() * 2
    delay = 600
    FakeAPI.inject(api, "GET", "/v1/groups/g0", %{delay: delay, times: slow})
    c = client(api)
    parent = self()
    ticker = spawn_link(fn -> tick(parent, System.monotonic_time(:millisecond), 0) end)
    Process.sleep(30)

    requests = for _ <- 1..slow, do: Task.async(fn -> Groups.get(c, "g0") end)
    started = System.monotonic_time(:millisecond)
    assert Enum.all?(Task.await_many(requests, 10_000), &match?({:ok, _}, &1))
    took = System.monotonic_time(:millisecond) - started

    send(ticker, {:report, self()})
    assert_receive {:ticks, ticks, max_gap}, 1_000
    assert took >= delay
    # A 10 ms timer over the whole run: most ticks happen, and no gap comes near the delay.
    assert ticks >= div(took, 10) * 2 / 3, "only #{ticks} ticks in #{took} ms"
    assert max_gap < 100, "the ticker stalled for #{max_gap} ms"
  end

  defp tick(parent, last, ticks, max_gap \\ 0) do
    receive do
      {:report, to} -> send(to, {:ticks, ticks, max_gap})
    after
      10 ->
        now = System.monotonic_time(:millisecond)
        tick(parent, now, ticks + 1, max(max_gap, now - last))
    end
  end

  test "clients and lists are freed by the garbage collector" do
    api = FakeAPI.start(5)
    parent = self()

    # A process makes a client and a half-walked list, then exits: its pooled connection to the
    # server stays open only as long as the library's client lives.
    {pid, ref} =
      spawn_monitor(fn ->
        c = client(api)
        [_] = c |> Groups.stream(limit: 2) |> Enum.take(1)
        {:ok, _} = Groups.get(c, "g1")
        send(parent, {:open, FakeAPI.open_connections(api)})
      end)

    assert_receive {:DOWN, ^ref, :process, ^pid, :normal}, 5_000
    assert_received {:open, open} when open >= 1

    assert wait_until(fn -> FakeAPI.open_connections(api) == 0 end),
           "the client's connections were never closed"

    # Many clients made and dropped in this process: each is freed once collected.
    for _ <- 1..200, do: client(api)
    :erlang.garbage_collect()
  end

  defp wait_until(f, tries \\ 100) do
    cond do
      f.() -> true
      tries == 0 -> false
      true -> Process.sleep(20) && wait_until(f, tries - 1)
    end
  end
end
