defmodule Fivetrex.RuntimeTest do
  # Not async: these tests watch the schedulers and the process's file descriptors.
  use Fivetrex.Case, async: false

  alias Fivetrex.{Connectors, Groups}

  test "one client shared by many processes" do
    emu = Emulator.start(30, 2)
    groups = Emulator.group_ids(emu)
    c = client(emu)
    workers = 16

    results =
      groups
      |> Enum.take(workers)
      |> Enum.map(fn g ->
        Task.async(fn ->
          n = c |> Groups.stream(limit: 7) |> Enum.count()
          {:ok, group} = Groups.get(c, g)
          owners = c |> Connectors.stream(g) |> Enum.map(& &1.group_id) |> Enum.uniq()
          {n, group.id, owners}
        end)
      end)
      |> Task.await_many(30_000)

    assert results == for(g <- Enum.take(groups, workers), do: {30, g, [g]})
    assert Emulator.count(emu, "GET", "/v1/groups") == workers * 5
  end

  test "the VM keeps running while slow requests block in the NIF" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)
    # More slow requests than there are normal schedulers: were the NIF on a normal scheduler,
    # every scheduler would be stuck and the ticker would stop for the whole delay.
    slow = System.schedulers_online() * 2
    delay = 600

    Emulator.fault(emu, %{
      method: "GET",
      path: "/v1/groups/#{g0}",
      kind: "delay",
      delay_ms: delay,
      times: slow
    })

    c = client(emu)
    ticker = spawn_link(fn -> tick(System.monotonic_time(:millisecond), 0, 0) end)
    Process.sleep(30)

    started = System.monotonic_time(:millisecond)
    requests = for _ <- 1..slow, do: Task.async(fn -> Groups.get(c, g0) end)
    assert Enum.all?(Task.await_many(requests, 10_000), &match?({:ok, _}, &1))
    took = System.monotonic_time(:millisecond) - started

    send(ticker, {:report, self()})
    assert_receive {:ticks, ticks, max_gap}, 1_000
    assert took >= delay
    # A 10 ms timer over the whole run: most ticks happen, and no gap comes near the delay.
    assert ticks >= div(took, 10) * 2 / 3, "only #{ticks} ticks in #{took} ms"
    assert max_gap < 100, "the ticker stalled for #{max_gap} ms"
  end

  defp tick(last, ticks, max_gap) do
    receive do
      {:report, to} -> send(to, {:ticks, ticks, max_gap})
    after
      10 ->
        now = System.monotonic_time(:millisecond)
        tick(now, ticks + 1, max(max_gap, now - last))
    end
  end

  test "clients and lists are freed by the garbage collector" do
    emu = Emulator.start(5)
    [g0 | _] = Emulator.group_ids(emu)
    before = open_fds()

    # Processes make clients and half-walked lists, then exit: each client's pooled connection
    # (a socket, so a file descriptor of this OS process) lives exactly as long as the library's
    # client, which the list keeps alive too.
    parent = self()

    for _ <- 1..10 do
      spawn(fn ->
        c = client(emu)
        [_] = c |> Groups.stream(limit: 2) |> Enum.take(1)
        {:ok, _} = Groups.get(c, g0)
        send(parent, {:opened, open_fds()})
      end)
    end

    peak = for _ <- 1..10, do: assert_receive({:opened, n}, 5_000) && n
    assert Enum.max(peak) > before, "the clients opened no connection: #{before} -> #{inspect(peak)}"
    assert wait_until(fn -> open_fds() <= before end), "#{open_fds() - before} descriptors left open"
  end

  defp open_fds, do: length(File.ls!("/proc/self/fd"))

  defp wait_until(f, tries \\ 100) do
    cond do
      f.() -> true
      tries == 0 -> false
      true -> Process.sleep(20) && wait_until(f, tries - 1)
    end
  end
end
