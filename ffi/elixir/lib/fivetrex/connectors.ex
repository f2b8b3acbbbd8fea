defmodule Fivetrex.Connectors do
  @moduledoc """
  Connectors (connections in the current API, which the library calls): list, stream, get,
  create, update, delete, pause, resume, sync, `resync!/3`, `sync_and_wait/3` and
  `wait_for_sync/4`.

      {:ok, %{items: connectors}} = Fivetrex.Connectors.list(client, "group_id")
      {:ok, _} = Fivetrex.Connectors.sync(client, "connector_id")
      {:ok, %{outcome: :succeeded}} = Fivetrex.Connectors.sync_and_wait(client, "connector_id", timeout: 600_000)
  """

  alias Fivetrex.{API, Error, Native}
  alias Fivetrex.Models.Connector

  @doc """
  One page of a group's connectors (every connector of the account when `group_id` is nil).
  Options: `:limit` (1..1000, default 1000), `:cursor`.
  """
  @spec list(Fivetrex.Client.t(), String.t() | nil, keyword()) ::
          {:ok, %{items: [Connector.t()], next_cursor: String.t() | nil}} | {:error, Error.t()}
  def list(client, group_id, opts \\ []), do: API.page(open(client, group_id, opts), &Connector.from_map/1)

  @doc "Every connector of a group (or of the account) as a lazy `Stream`; raises `Fivetrex.Error` if a page fails."
  @spec stream(Fivetrex.Client.t(), String.t() | nil, keyword()) :: Enumerable.t()
  def stream(client, group_id, opts \\ []), do: API.walk(open(client, group_id, opts), &Connector.from_map/1)

  @doc "One connector; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Fivetrex.Client.t(), String.t()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def get(client, id), do: API.wrap(Native.connection_get(client.ref, text(id)), &Connector.from_map/1)

  @doc """
  Creates a connector: `%{group_id: ..., service: ..., config: %{schema: ...}}`, sent as given.
  Not repeated after an ambiguous failure.
  """
  @spec create(Fivetrex.Client.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def create(client, params),
    do: API.wrap(Native.connection_create(client.ref, Map.new(params)), &Connector.from_map/1)

  @doc "Changes a connector: `update(client, id, %{sync_frequency: 60})`."
  @spec update(Fivetrex.Client.t(), String.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def update(client, id, changes),
    do: API.wrap(Native.connection_update(client.ref, text(id), Map.new(changes)), &Connector.from_map/1)

  @doc "Pauses a connector."
  def pause(client, id), do: update(client, id, %{paused: true})

  @doc "Resumes a paused connector."
  def resume(client, id), do: update(client, id, %{paused: false})

  @doc """
  Deletes a connector (the data already loaded stays in the destination; its configuration and
  state do not). Your user states the confirmation: `confirm:` must be the connector's id, or
  nothing is sent and the result is `{:error, %Fivetrex.Error{type: :confirmation_required}}`.
  """
  @spec delete(Fivetrex.Client.t(), String.t(), keyword()) :: :ok | {:error, Error.t()}
  def delete(client, id, opts \\ []) do
    with {:ok, confirm} <- API.confirmation(opts, "Fivetrex.Connectors.delete/3"),
         {:ok, _} <- API.wrap(Native.connection_delete(client.ref, text(id), confirm), & &1),
         do: :ok
  end

  @doc """
  Triggers a sync and returns at once; `force: true` stops a running sync and starts a new one.
  Returns the API's `%{"code" => ..., "message" => ...}`.
  """
  @spec sync(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync(client, id, opts \\ []),
    do: API.wrap(Native.connection_sync(client.ref, text(id), Keyword.get(opts, :force, false) == true), & &1)

  @doc """
  Re-syncs from scratch: historical data is dropped and read again, which is destructive and
  expensive. Your user states the confirmation: `confirm:` must be the connector's id (raises
  `ArgumentError` when it is missing, before anything is sent; another id is refused by the
  library as `:confirmation_required`). `scope: %{"schema" => ["table", ...]}` limits it to those
  tables (still destructive for them). The API answers `:conflict` while a sync runs.
  """
  @spec resync!(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def resync!(client, id, opts \\ []) do
    confirm = Keyword.get(opts, :confirm)

    unless is_binary(confirm) do
      raise ArgumentError,
            "Fivetrex.Connectors.resync!/3 drops the connector's historical data; pass confirm: <the connector's id> to proceed"
    end

    API.wrap(Native.connection_resync(client.ref, text(id), opts[:scope], confirm), & &1)
  end

  @doc """
  Triggers a sync and waits until it ends (on a dirty I/O scheduler: the calling process blocks,
  the VM does not; run it in a `Task` to do something else meanwhile).

  The library reads the connector first (a broken or paused one is reported at once;
  `resume_if_paused: true` leaves it resumed), waits out a sync that is already running unless
  `force: true`, takes the baseline (`succeeded_at` and `failed_at`, each on its own) before the
  trigger, triggers, then polls until a timestamp moves past its baseline. A manual-schedule
  connector that was rescheduled is triggered again once `rescheduled_for` has passed.
  Transient errors are polled through; a permanent one (404, 401, ...) is returned as
  `{:error, %Fivetrex.Error{}}`. `:timeout` bounds the whole wait.

  The wait runs in a worker process and is cancelled (through the library's cancellation
  token, within milliseconds) when the calling process exits, or when `:call_timeout` passes
  (default `:timeout` plus 5 s), which returns `{:error, %Fivetrex.Error{type: :cancelled}}`.

  Options (ms): `:poll_interval` (10 000), `:timeout` (3 600 000), `:call_timeout`; `:force`,
  `:resume_if_paused`, `:return_when_rescheduled`; `:progress`, a pid that receives
  `{:fivetrex_progress, poll, elapsed_ms, sync_state | nil, status}` after every poll (`status`
  is `:ok` or the transient failure the wait goes on after).

  Returns `{:ok, %{outcome: outcome, at: DateTime | nil, elapsed_ms: ms,
  baseline: %{succeeded_at: DateTime | nil, failed_at: DateTime | nil} | nil, triggered: boolean,
  resumed: boolean (the connector was resumed by `resume_if_paused: true` and stays resumed),
  until: DateTime | nil, tasks: [map], warnings: [map], connector: %Connector{} | nil}}`, where
  outcome is `:succeeded`, `:failed`, `:timed_out`, `:paused`, `:broken` or `:rescheduled`.
  """
  @spec sync_and_wait(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync_and_wait(client, id, opts \\ []) do
    id = text(id)
    cancellable(opts, fn token -> Native.sync_and_wait(client.ref, id, wait_options(opts, token), opts[:progress]) end)
  end

  @doc """
  Waits for a sync already triggered, or resumes a wait that timed out: `baseline` is the
  `:baseline` of that outcome (`%{succeeded_at: ..., failed_at: ...}`, or nil when the connector
  never synced). The first poll is immediate. Options, cancellation and result as
  `sync_and_wait/3`.
  """
  @spec wait_for_sync(Fivetrex.Client.t(), String.t(), map() | nil, keyword()) ::
          {:ok, map()} | {:error, Error.t()}
  def wait_for_sync(client, id, baseline, opts \\ []) do
    id = text(id)
    iso = fn t -> t && DateTime.to_iso8601(t) end

    baseline =
      baseline &&
        encode_json(%{"succeeded_at" => iso.(baseline[:succeeded_at]), "failed_at" => iso.(baseline[:failed_at])})

    cancellable(opts, fn token ->
      Native.wait_for_sync(client.ref, id, baseline, wait_options(opts, token), opts[:progress])
    end)
  end

  defp encode_json(map) do
    {:ok, json} = Native.json_encode(map)
    json
  end

  # Runs `call` (a blocking NIF) in a worker process so that this process can notice its own
  # timeout; a watcher cancels the token when this process exits (a process blocked in a dirty
  # NIF could not react to its own exit until the NIF returned).
  defp cancellable(opts, call) do
    token = Native.cancel_token_new()
    caller = self()
    call_timeout = Keyword.get(opts, :call_timeout, Keyword.get(opts, :timeout, 3_600_000) + 5_000)
    {worker, wref} = spawn_monitor(fn -> send(caller, {:fivetrex_wait_done, self(), call.(token)}) end)

    spawn(fn ->
      cref = Process.monitor(caller)
      wref = Process.monitor(worker)

      receive do
        {:DOWN, ^cref, :process, _, _} -> Native.cancel_token_cancel(token)
        {:DOWN, ^wref, :process, _, _} -> :ok
      end
    end)

    receive do
      {:fivetrex_wait_done, ^worker, result} ->
        Process.demonitor(wref, [:flush])
        outcome(result)

      {:DOWN, ^wref, :process, _, reason} ->
        exit(reason)
    after
      call_timeout ->
        Native.cancel_token_cancel(token)

        receive do
          {:fivetrex_wait_done, ^worker, result} ->
            Process.demonitor(wref, [:flush])
            outcome(result)

          {:DOWN, ^wref, :process, _, reason} ->
            exit(reason)
        end
    end
  end

  defp wait_options(opts, token) do
    {Keyword.get(opts, :poll_interval, 0), Keyword.get(opts, :timeout, 0),
     Keyword.get(opts, :force, false) == true, Keyword.get(opts, :resume_if_paused, false) == true,
     Keyword.get(opts, :return_when_rescheduled, false) == true, token}
  end

  defp outcome({:ok, outcome, details}) do
    time = &Fivetrex.Models.time(details[&1])

    {:ok,
     %{
       outcome: outcome,
       at: time.("at"),
       elapsed_ms: details["elapsed_ms"],
       baseline: baseline(details["baseline"]),
       triggered: details["triggered"] == true,
       resumed: details["resumed"] == true,
       until: time.("until"),
       tasks: details["tasks"] || [],
       warnings: details["warnings"] || [],
       connector: details["connection"] && Connector.from_map(details["connection"])
     }}
  end

  defp outcome({:error, detail}), do: {:error, Error.from_native(detail)}

  defp baseline(nil), do: nil

  defp baseline(b),
    do: %{succeeded_at: Fivetrex.Models.time(b["succeeded_at"]), failed_at: Fivetrex.Models.time(b["failed_at"])}

  defp open(client, group_id, opts) do
    {limit, cursor} = API.list_args(opts)
    fn -> Native.connections_list(client.ref, group_id, limit, cursor) end
  end

  defp text(id) when is_binary(id), do: id
  defp text(id), do: raise(ArgumentError, "a connector id must be a string, got #{inspect(id)}")
end
