defmodule Fivetrex.Connectors do
  @moduledoc """
  Connectors (connections in the current API, whose `/connections` paths this module calls):
  list, stream, get, create, update, delete, pause, resume, sync, `resync!/3`, state, schema
  configuration, sync status and frequency; beyond Fivetrex, `sync_and_wait/3` and
  `wait_for_sync/4`.

      {:ok, %{items: connectors}} = Fivetrex.Connectors.list(client, "group_id")
      {:ok, %{success: true}} = Fivetrex.Connectors.sync(client, "connector_id")
      {:ok, %{outcome: :succeeded}} = Fivetrex.Connectors.sync_and_wait(client, "connector_id", timeout: 600_000)
  """

  alias Fivetrex.{Client, Error, Native, Resource}
  alias Fivetrex.Models.{Column, Connector, SchemaConfig, SyncStatus}

  @doc """
  One page of a group's connectors (every connector of the account when `group_id` is nil).
  Options: `:limit` (1..1000), `:cursor`.
  """
  @spec list(Client.t(), String.t() | nil, keyword()) ::
          {:ok, %{items: [Connector.t()], next_cursor: String.t() | nil}} | {:error, Error.t()}
  def list(client, group_id, opts \\ [])

  def list(client, nil, opts), do: Resource.page(client, "/connections", opts, &Connector.from_map/1)

  def list(client, group_id, opts),
    do:
      Resource.page(
        client,
        "/groups/" <> Resource.id!(group_id, "a group id") <> "/connections",
        opts,
        &Connector.from_map/1
      )

  @doc "Every connector of a group (or of the account) as a lazy `Stream`; raises `Fivetrex.Error` if a page fails."
  @spec stream(Client.t(), String.t() | nil, keyword()) :: Enumerable.t()
  def stream(client, group_id, opts \\ []),
    do: Fivetrex.Stream.paginate(fn cursor -> list(client, group_id, Keyword.put(opts, :cursor, cursor)) end)

  @doc "One connector; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Client.t(), String.t()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def get(client, id), do: client |> Client.get(path(id)) |> Resource.data(&Connector.from_map/1)

  @doc """
  Creates a connector: `%{group_id: ..., service: ..., config: %{...}}` (plus `paused`,
  `sync_frequency`, ...), sent as given. Not repeated after an ambiguous failure.
  """
  @spec create(Client.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def create(client, params),
    do: client |> Client.post("/connections", Map.new(params)) |> Resource.data(&Connector.from_map/1)

  @doc "Changes a connector: `update(client, id, %{sync_frequency: 60})`."
  @spec update(Client.t(), String.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def update(client, id, changes),
    do: client |> Client.patch(path(id), Map.new(changes)) |> Resource.data(&Connector.from_map/1)

  @doc "Pauses a connector (`update/3` with `paused: true`)."
  @spec pause(Client.t(), String.t()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def pause(client, id), do: update(client, id, %{paused: true})

  @doc "Resumes a paused connector (`update/3` with `paused: false`)."
  @spec resume(Client.t(), String.t()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def resume(client, id), do: update(client, id, %{paused: false})

  @doc """
  Deletes a connector (the data already loaded stays in the destination); `:ok` on success.
  `delete(client, id, confirm: id)` sends only when the confirmation names the connector.
  """
  @spec delete(Client.t(), String.t(), keyword()) :: :ok | {:error, Error.t()}
  def delete(client, id, opts \\ []) do
    path = path(id)

    with :ok <- Resource.confirmed(opts, id, "Fivetrex.Connectors.delete/3"),
         do: client |> Client.delete(path) |> Resource.ok()
  end

  @doc """
  Triggers a sync and returns at once: `{:ok, %{success: true, message: text | nil,
  sync_state: state | nil}}`, the API's answer normalised as in Fivetrex. `force: true` stops a
  running sync and starts a new one.
  """
  @spec sync(Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync(client, id, opts \\ []) do
    body = if opts[:force] == true, do: %{force: true}, else: %{}

    with {:ok, answer} <- Client.post(client, path(id) <> "/sync", body) do
      {:ok,
       %{
         success: true,
         message: answer["message"],
         sync_state:
           answer
           |> Fivetrex.Models.get("data")
           |> Fivetrex.Models.get("status")
           |> Fivetrex.Models.get("sync_state")
       }}
    end
  end

  @doc """
  Re-syncs from scratch: historical data is dropped and read again, which is destructive and
  expensive. Raises `ArgumentError` unless `confirm: true` (as in Fivetrex) or `confirm:` the
  connector's id is given; another id is refused (`reason: :confirmation_required`) before
  anything is sent. `scope: %{"schema" => ["table", ...]}` limits it to those tables. Returns
  the API's `data`.
  """
  @spec resync!(Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def resync!(client, id, opts) do
    confirm = Keyword.get(opts, :confirm)

    unless confirm == true or is_binary(confirm) do
      raise ArgumentError,
            "Fivetrex.Connectors.resync!/3 drops and re-imports the connector's historical data; " <>
              "pass `confirm: true` (or confirm: <the connector's id>) to proceed"
    end

    path = path(id)
    body = if opts[:scope], do: %{scope: opts[:scope]}, else: %{}

    with :ok <-
           if(confirm == true, do: :ok, else: Resource.confirmed(opts, id, "Fivetrex.Connectors.resync!/3")),
         do: client |> Client.post(path <> "/resync", body) |> Resource.data(& &1)
  end

  @doc "The connector's state (cursors and the like) as the API's `data` map."
  @spec get_state(Client.t(), String.t()) :: {:ok, map()} | {:error, Error.t()}
  def get_state(client, id), do: client |> Client.get(path(id) <> "/state") |> Resource.data(& &1)

  @doc "The connector's schema configuration as a `Fivetrex.Models.SchemaConfig`."
  @spec get_schema_config(Client.t(), String.t()) :: {:ok, SchemaConfig.t()} | {:error, Error.t()}
  def get_schema_config(client, id),
    do: client |> Client.get(path(id) <> "/schemas") |> Resource.data(&SchemaConfig.from_map/1)

  @doc """
  Reloads the schema configuration from the source. Option `:exclude_mode` (`"PRESERVE"` or
  `"EXCLUDE"`).
  """
  @spec reload_schema_config(Client.t(), String.t(), keyword()) ::
          {:ok, SchemaConfig.t()} | {:error, Error.t()}
  def reload_schema_config(client, id, opts \\ []) do
    body = if opts[:exclude_mode], do: %{exclude_mode: opts[:exclude_mode]}, else: %{}
    client |> Client.post(path(id) <> "/schemas/reload", body) |> Resource.data(&SchemaConfig.from_map/1)
  end

  @doc "Changes the schema configuration: `%{schemas: %{\"public\" => %{tables: %{\"t\" => %{enabled: false}}}}}`."
  @spec update_schema_config(Client.t(), String.t(), map()) :: {:ok, SchemaConfig.t()} | {:error, Error.t()}
  def update_schema_config(client, id, changes),
    do:
      client
      |> Client.patch(path(id) <> "/schemas", Map.new(changes))
      |> Resource.data(&SchemaConfig.from_map/1)

  @doc "A table's columns: `{:ok, %{\"name\" => %Fivetrex.Models.Column{}}}`."
  @spec get_table_columns(Client.t(), String.t(), String.t(), String.t()) ::
          {:ok, %{String.t() => Column.t()}} | {:error, Error.t()}
  def get_table_columns(client, id, schema, table) do
    path =
      path(id) <>
        "/schemas/" <>
        Resource.id!(schema, "a schema name") <>
        "/tables/" <> Resource.id!(table, "a table name") <> "/columns"

    client
    |> Client.get(path)
    |> Resource.data(&(Fivetrex.Models.each(&1["columns"], fn c -> Column.from_map(c) end) || %{}))
  end

  @doc "The connector's sync status (one GET of the connector) as a `Fivetrex.Models.SyncStatus`."
  @spec get_sync_status(Client.t(), String.t()) :: {:ok, SyncStatus.t()} | {:error, Error.t()}
  def get_sync_status(client, id) do
    with {:ok, connector} <- get(client, id), do: {:ok, SyncStatus.from_connector(connector)}
  end

  @doc """
  Sets how often the connector syncs, in minutes (5, 15, 30, 60, 120, 180, 360, 480, 720,
  1440). Options sent along: `:schedule_type` (`"auto"` or `"manual"`), `:daily_sync_time`
  (`"14:00"`, for 1440).
  """
  @spec set_sync_frequency(Client.t(), String.t(), pos_integer(), keyword()) ::
          {:ok, Connector.t()} | {:error, Error.t()}
  def set_sync_frequency(client, id, minutes, opts \\ []) do
    extra = Map.new(Keyword.take(opts, [:schedule_type, :daily_sync_time]))
    update(client, id, Map.put(extra, :sync_frequency, minutes))
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
  (default `:timeout` plus 5 s), which returns `{:error, %Fivetrex.Error{type: :unknown, reason: :cancelled}}`.

  Options (ms): `:poll_interval` (10 000), `:timeout` (3 600 000), `:call_timeout`; `:force`,
  `:resume_if_paused`, `:return_when_rescheduled`; `:progress`, a pid that receives
  `{:fivetrex_progress, poll, elapsed_ms, sync_state | nil, status}` after every poll (`status`
  is `:ok`, or the transient failure the wait goes on after, named as `Fivetrex.Error`'s
  `:reason`: `:server_error`, `:rate_limited`, `:transport`, `:timeout`, ...).

  Returns `{:ok, %{outcome: outcome, at: DateTime | nil, elapsed_ms: ms,
  baseline: %{succeeded_at: DateTime | nil, failed_at: DateTime | nil} | nil, triggered: boolean,
  resumed: boolean (the connector was resumed by `resume_if_paused: true` and stays resumed),
  until: DateTime | nil, tasks: [map], warnings: [map], connector: %Connector{} | nil}}`, where
  outcome is `:succeeded`, `:failed`, `:timed_out`, `:paused`, `:broken` or `:rescheduled`.
  """
  @spec sync_and_wait(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync_and_wait(client, id, opts \\ []) do
    id = text(id)

    cancellable(opts, fn token ->
      Native.sync_and_wait(client.ref, id, wait_options(opts, token), opts[:progress])
    end)
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
        encode_json(%{
          "succeeded_at" => iso.(baseline[:succeeded_at]),
          "failed_at" => iso.(baseline[:failed_at])
        })

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
    do: %{
      succeeded_at: Fivetrex.Models.time(b["succeeded_at"]),
      failed_at: Fivetrex.Models.time(b["failed_at"])
    }

  defp path(id), do: "/connections/" <> Resource.id!(id, "a connector id")

  defp text(id) when is_binary(id), do: id
  defp text(id), do: raise(ArgumentError, "a connector id must be a string, got #{inspect(id)}")
end
