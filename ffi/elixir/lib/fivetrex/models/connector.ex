defmodule Fivetrex.Models.Connector do
  @moduledoc """
  A connector (the API now says connection): a pipeline from a source into a group's
  destination. `status` and `config` are maps with string keys as the API sent them (config
  differs per service; secrets in it arrive masked). `raw` is the whole connector as the API
  sent it, fields this package does not know yet included.
  """
  defstruct [
    :id,
    :group_id,
    :service,
    :schema,
    :paused,
    :sync_frequency,
    :schedule_type,
    :created_at,
    :succeeded_at,
    :failed_at,
    :status,
    :config,
    raw: %{}
  ]

  @type t :: %__MODULE__{}

  @doc false
  def from_map(map) do
    %__MODULE__{
      id: map["id"],
      group_id: map["group_id"],
      service: map["service"],
      schema: map["schema"],
      paused: map["paused"] == true,
      sync_frequency: integer(map["sync_frequency"]),
      schedule_type: map["schedule_type"],
      created_at: Fivetrex.Models.time(map["created_at"]),
      succeeded_at: Fivetrex.Models.time(map["succeeded_at"]),
      failed_at: Fivetrex.Models.time(map["failed_at"]),
      status: map["status"] || %{},
      config: map["config"],
      raw: map
    }
  end

  @doc "True while a sync runs."
  def syncing?(%__MODULE__{status: status}), do: state(status, "sync_state") == "syncing"

  @doc "True when paused."
  def paused?(%__MODULE__{paused: paused, status: status}),
    do: paused or state(status, "sync_state") == "paused"

  @doc "True when the setup is broken (nothing syncs until someone fixes it)."
  def broken?(%__MODULE__{status: status}), do: state(status, "setup_state") == "broken"

  @doc "The later of `succeeded_at` and `failed_at`, nil when neither is set."
  def last_sync_at(%__MODULE__{succeeded_at: s, failed_at: f}), do: Fivetrex.Models.latest(s, f)

  defp state(status, key), do: status |> Map.get(key) |> then(&(&1 && String.downcase(&1)))

  # Servers have changed a number into a string overnight: accept both.
  defp integer(n) when is_integer(n), do: n

  defp integer(s) when is_binary(s) do
    case Integer.parse(s) do
      {n, ""} -> n
      _ -> nil
    end
  end

  defp integer(_), do: nil
end
