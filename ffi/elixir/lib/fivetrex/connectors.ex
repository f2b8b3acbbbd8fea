defmodule Fivetrex.Connectors do
  @moduledoc """
  Connectors (connections in the current API; the paths used are `/v1/connections`): list,
  stream, get, create, update, delete, pause, resume, sync, `resync!/3` and `sync_and_wait/3`.

      {:ok, %{items: connectors}} = Fivetrex.Connectors.list(client, "group_id")
      {:ok, _} = Fivetrex.Connectors.sync(client, "connector_id")
      {:ok, %{outcome: :succeeded}} = Fivetrex.Connectors.sync_and_wait(client, "connector_id", timeout: 600_000)
  """

  alias Fivetrex.{API, Error}
  alias Fivetrex.Models.Connector

  @doc "One page of a group's connectors. Options: `:limit` (1..1000, default 1000), `:cursor`."
  @spec list(Fivetrex.Client.t(), String.t(), keyword()) ::
          {:ok, %{items: [Connector.t()], next_cursor: String.t() | nil}} | {:error, Error.t()}
  def list(client, group_id, opts \\ []) do
    with :ok <- API.check_id(group_id),
         do: API.page(client, group_path(group_id), opts, &Connector.from_map/1)
  end

  @doc "Every connector of a group as a lazy `Stream` (raises `Fivetrex.Error` if a page fails)."
  @spec stream(Fivetrex.Client.t(), String.t(), keyword()) :: Enumerable.t()
  def stream(client, group_id, opts \\ []) do
    with {:error, error} <- API.check_id(group_id), do: raise(error)
    API.stream(client, group_path(group_id), opts, &Connector.from_map/1)
  end

  @doc "One connector; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Fivetrex.Client.t(), String.t()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def get(client, id), do: on(client, "GET", id, [], nil)

  @doc "Creates a connector: `%{group_id: ..., service: ..., config: %{...}}`."
  @spec create(Fivetrex.Client.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def create(client, params),
    do: API.data(client, "POST", "/v1/connections", Map.new(params), &Connector.from_map/1)

  @doc "Changes a connector: `update(client, id, %{sync_frequency: 60})`."
  @spec update(Fivetrex.Client.t(), String.t(), map()) :: {:ok, Connector.t()} | {:error, Error.t()}
  def update(client, id, params), do: on(client, "PATCH", id, [], Map.new(params))

  @doc "Pauses a connector."
  def pause(client, id), do: update(client, id, %{paused: true})

  @doc "Resumes a paused connector."
  def resume(client, id), do: update(client, id, %{paused: false})

  @doc "Deletes a connector."
  @spec delete(Fivetrex.Client.t(), String.t()) :: :ok | {:error, Error.t()}
  def delete(client, id) do
    with :ok <- API.check_id(id), {:ok, _} <- API.action(client, "DELETE", conn_path(id, [])), do: :ok
  end

  @doc """
  Triggers a sync; `force: true` stops a running sync and starts a new one. Returns the API's
  `%{"code" => ..., "message" => ...}`.
  """
  @spec sync(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync(client, id, opts \\ []) do
    with :ok <- API.check_id(id),
         do:
           API.action(client, "POST", conn_path(id, ["sync"]), %{"force" => Keyword.get(opts, :force, false)})
  end

  @doc """
  Re-syncs from scratch: historical data is dropped and read again, which is destructive and
  expensive. Demands `confirm: true` (raises `ArgumentError` otherwise, before anything is
  sent). `scope: %{"schema" => ["table", ...]}` limits it to those tables.
  """
  @spec resync!(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def resync!(client, id, opts \\ []) do
    unless Keyword.get(opts, :confirm) == true do
      raise ArgumentError,
            "Fivetrex.Connectors.resync!/3 drops the connector's historical data; pass confirm: true to proceed"
    end

    body = if scope = opts[:scope], do: %{"scope" => scope}, else: %{}
    with :ok <- API.check_id(id), do: API.action(client, "POST", conn_path(id, ["resync"]), body)
  end

  @doc """
  Triggers a sync and waits until it ends, polling the connector.

  The baseline `max(succeeded_at, failed_at)` is read before the trigger (so a sync that fails
  before the first poll is still seen); the sync is over when either timestamp moves past it (the
  newer wins; a tie is a failure). Paused and broken connectors are reported instead of waited
  on. A transient error while polling (`:rate_limited`, `:server_error`, `:transport`,
  `:timeout`, after the client's retries) does not end the wait; another error is returned.

  Options: `:poll_interval` (ms, default 10 000), `:timeout` (ms, default 3 600 000), `:force`,
  `:resume_if_paused`. Returns `{:ok, %{outcome: outcome, at: DateTime | nil, polls: n,
  elapsed_ms: ms, baseline: DateTime | nil, connector: %Connector{} | nil}}` where outcome is
  `:succeeded`, `:failed`, `:timed_out`, `:paused` or `:broken`. The process sleeps between
  polls; each poll runs on a dirty I/O scheduler.
  """
  @spec sync_and_wait(Fivetrex.Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def sync_and_wait(client, id, opts \\ []) do
    interval = Keyword.get(opts, :poll_interval, 10_000)
    started = now()
    deadline = started + Keyword.get(opts, :timeout, 3_600_000)
    result = %{outcome: nil, at: nil, polls: 0, elapsed_ms: 0, baseline: nil, connector: nil}
    done = fn result, outcome -> {:ok, %{result | outcome: outcome, elapsed_ms: now() - started}} end

    with {:ok, conn} <- get(client, id),
         {:ok, conn} <- maybe_resume(client, conn, opts) do
      result = %{result | connector: conn}

      cond do
        Connector.paused?(conn) ->
          done.(result, :paused)

        Connector.broken?(conn) ->
          done.(result, :broken)

        true ->
          result = %{result | baseline: Connector.last_sync_at(conn)}

          with {:ok, _} <- sync(client, id, force: Keyword.get(opts, :force, false)) do
            poll(client, id, result, interval, deadline, done)
          end
      end
    end
  end

  defp maybe_resume(client, %Connector{paused: true} = conn, opts) do
    if opts[:resume_if_paused], do: resume(client, conn.id), else: {:ok, conn}
  end

  defp maybe_resume(_client, conn, _opts), do: {:ok, conn}

  defp poll(client, id, result, interval, deadline, done) do
    remaining = deadline - now()

    if remaining <= 0 do
      done.(result, :timed_out)
    else
      Process.sleep(min(interval, remaining))
      result = %{result | polls: result.polls + 1}

      case get(client, id) do
        {:ok, conn} ->
          result = %{result | connector: conn}

          case finished(conn, result.baseline) do
            {outcome, at} ->
              done.(%{result | at: at}, outcome)

            nil when conn.paused ->
              done.(result, :paused)

            nil ->
              if Connector.broken?(conn),
                do: done.(result, :broken),
                else: poll(client, id, result, interval, deadline, done)
          end

        {:error, %Error{type: type}} when type in [:rate_limited, :server_error, :transport, :timeout] ->
          poll(client, id, result, interval, deadline, done)

        {:error, error} ->
          {:error, error}
      end
    end
  end

  defp finished(%Connector{succeeded_at: s, failed_at: f}, baseline) do
    s = if after?(s, baseline), do: s
    f = if after?(f, baseline), do: f

    cond do
      s && (f == nil or DateTime.compare(s, f) == :gt) -> {:succeeded, s}
      f -> {:failed, f}
      true -> nil
    end
  end

  defp after?(nil, _baseline), do: false
  defp after?(_t, nil), do: true
  defp after?(t, baseline), do: DateTime.compare(t, baseline) == :gt

  defp on(client, method, id, tail, body) do
    with :ok <- API.check_id(id),
         do: API.data(client, method, conn_path(id, tail), body, &Connector.from_map/1)
  end

  defp conn_path(id, tail), do: API.path(["v1", "connections", id | tail])
  defp group_path(group_id), do: API.path(["v1", "groups", group_id, "connections"])
  defp now, do: System.monotonic_time(:millisecond)
end
