defmodule Fivetrex.Emulator do
  @moduledoc """
  The project's emulator (src/emulator; `cargo run --example emulator --features emulator`) as a
  process per test: started on a free port through a `Port` (its stdin is the port's pipe, so
  it stops when the test process exits), steered through its `/__emulator/` control endpoints,
  which these helpers reach with the library's own raw call.
  """

  @key "emulator_key"
  @secret "emulator_secret"

  def key, do: @key
  def secret, do: @secret

  @doc "Builds the emulator once (unless `FIVETREX_EMULATOR` names it) and returns its path."
  def binary do
    case System.get_env("FIVETREX_EMULATOR") do
      path when is_binary(path) and path != "" ->
        path

      _ ->
        root = Path.expand("../..", File.cwd!())
        args = ~w(build --quiet --features ffi,emulator --example emulator)
        {_, 0} = System.cmd("cargo", args, cd: root, into: IO.stream(:stdio, :line), stderr_to_stdout: true)
        target = System.get_env("CARGO_TARGET_DIR") || "target"
        Path.expand(Path.join([target, "debug", "examples", "emulator"]), root)
    end
  end

  @doc "Starts an emulator seeded with `groups` x `per_group` connections whose syncs take 30 ms."
  def start(groups, per_group \\ 0) do
    args = ~w(--port 0 --groups #{groups} --connections-per-group #{per_group} --sync-ms 30)

    port =
      Port.open({:spawn_executable, :persistent_term.get(:fivetrex_emulator)}, [
        :binary,
        {:line, 4096},
        args: args
      ])

    url =
      receive do
        {^port, {:data, {:eol, "listening on " <> url}}} -> url
      after
        10_000 -> raise "the emulator did not say where it listens within 10 s"
      end

    control = Fivetrex.client(api_key: @key, api_secret: @secret, base_url: url, max_attempts: 1)
    %{url: url, port: port, control: control}
  end

  @doc "Adds a fault: `%{method:, path:, kind: \"status\", status:, times:, retry_after:, delay_ms:}`."
  def fault(emu, fault), do: control(emu, "POST", "/__emulator/faults", fault)

  @doc "Steers a connection: `%{sync_outcome: \"failure\", sync_duration_ms: 0, paused: true, ...}`."
  def steer(emu, id, changes), do: control(emu, "POST", "/__emulator/connections/#{id}", changes)

  @doc "Logged requests with this method and path."
  def count(emu, method, path) do
    %{"items" => items} = control(emu, "GET", "/__emulator/log")
    Enum.count(items, &(&1["method"] == method and &1["path"] == path))
  end

  @doc "The ids of a seeded list (one page of up to 1000), read without leaving a trace in the log."
  def ids(emu, path) do
    {:ok, %{"data" => %{"items" => items}}} = Fivetrex.API.request(emu.control, "GET", path, %{limit: 1000})
    control(emu, "DELETE", "/__emulator/log")
    Enum.map(items, & &1["id"])
  end

  def group_ids(emu), do: ids(emu, "/v1/groups")

  def connection_ids(emu, group_id) do
    {:ok, %{"data" => %{"items" => items}}} =
      Fivetrex.API.request(emu.control, "GET", "/v1/connections", %{group_id: group_id, limit: 1000})

    control(emu, "DELETE", "/__emulator/log")
    Enum.map(items, & &1["id"])
  end

  defp control(emu, method, path, body \\ nil) do
    {:ok, answer} = Fivetrex.API.request(emu.control, method, path, nil, body)
    answer
  end
end
