defmodule Fivetrex.FanOut do
  @moduledoc """
  Many calls at once, on worker threads inside the library that share the client (its pause
  window, rate limit and the API's remaining quota govern them: when the quota runs low, starts
  are spaced instead of running into an hour-long 429). The calling process blocks on a dirty
  I/O scheduler until every item has settled.

      {:ok, results} = Fivetrex.FanOut.connectors(client, ids, workers: 16)
      {:ok, results} = Fivetrex.FanOut.sync_and_wait(client, ids, poll_interval: 5_000)

  Prefer the account-wide `Fivetrex.Connectors.stream(client, nil)`, which already carries each
  connector's status and timestamps: fetch details only for the ids that need them.
  """

  alias Fivetrex.{Error, Native}
  alias Fivetrex.Models.Connector

  @doc """
  Fetches many connectors at once. Option: `:workers` (1..64, default 8). Returns
  `{:ok, [{id, {:ok, %Connector{}} | {:error, %Fivetrex.Error{}}}]}` in the order of `ids`: one
  failing id does not fail the others.
  """
  @spec connectors(Fivetrex.Client.t(), [String.t()], keyword()) ::
          {:ok, [{String.t(), {:ok, Connector.t()} | {:error, Error.t()}}]} | {:error, Error.t()}
  def connectors(client, ids, opts \\ []) do
    ids
    |> check()
    |> then(&Native.connections_by_id(client.ref, &1, workers(opts)))
    |> items(&Connector.from_map(&1["connection"]))
  end

  @doc """
  Triggers a sync of every connector and waits for each, at most `:workers` (default 8) at once.
  Options as `Fivetrex.Connectors.sync_and_wait/3` (without `:progress`) plus `:workers`.
  Returns `{:ok, [{id, {:ok, %{outcome: atom, at: DateTime | nil, baseline: DateTime | nil,
  tasks: [map], connector: %Connector{} | nil}} | {:error, %Fivetrex.Error{}}}]}` in the order of
  `ids`.
  """
  @spec sync_and_wait(Fivetrex.Client.t(), [String.t()], keyword()) :: {:ok, list()} | {:error, Error.t()}
  def sync_and_wait(client, ids, opts \\ []) do
    wait =
      {Keyword.get(opts, :poll_interval, 0), Keyword.get(opts, :timeout, 0),
       Keyword.get(opts, :force, false) == true, Keyword.get(opts, :resume_if_paused, false) == true,
       Keyword.get(opts, :return_when_rescheduled, false) == true, nil}

    ids
    |> check()
    |> then(&Native.sync_and_wait_many(client.ref, &1, wait, workers(opts)))
    |> items(&outcome/1)
  end

  @outcomes %{
    "succeeded" => :succeeded,
    "failed" => :failed,
    "timed_out" => :timed_out,
    "paused" => :paused,
    "broken" => :broken,
    "rescheduled" => :rescheduled
  }

  defp outcome(d) do
    %{
      outcome: Map.fetch!(@outcomes, d["outcome"]),
      at: Fivetrex.Models.time(d["at"]),
      baseline: Fivetrex.Models.time(d["baseline"]),
      tasks: d["tasks"] || [],
      connector: d["connection"] && Connector.from_map(d["connection"])
    }
  end

  defp items({:ok, items}, ok) do
    {:ok,
     Enum.map(items, fn
       %{"id" => id, "error" => e} -> {id, {:error, item_error(e)}}
       %{"id" => id} = item -> {id, {:ok, ok.(item)}}
     end)}
  end

  defp items({:error, detail}, _), do: {:error, Error.from_native(detail)}

  defp item_error(e) do
    kind = e["status"] |> String.downcase() |> String.to_atom()

    Error.from_native(
      {kind, e["http_status"] || 0, e["message"], e["api_code"], nil, e["retry_after_ms"] || -1}
    )
  end

  defp workers(opts), do: Keyword.get(opts, :workers, 0)

  defp check(ids) when is_list(ids) do
    Enum.each(ids, fn id ->
      is_binary(id) || raise ArgumentError, "ids must be strings, got #{inspect(id)}"
    end)

    ids
  end
end
