defmodule Fivetrex.Models do
  @moduledoc false

  @doc "An ISO 8601 timestamp as a UTC DateTime (a DateTime stays); nil when absent or unreadable."
  def time(%DateTime{} = dt), do: dt

  def time(text) when is_binary(text) do
    case DateTime.from_iso8601(text) do
      {:ok, dt, _offset} -> dt
      _ -> nil
    end
  end

  def time(_), do: nil

  @doc "The later of two optional DateTimes."
  def latest(nil, b), do: b
  def latest(a, nil), do: a
  def latest(a, b), do: if(DateTime.compare(a, b) == :lt, do: b, else: a)

  @doc "`map[key]` for a map, nil for anything else (a nil status, a list, ...)."
  def get(map, key) when is_map(map), do: Map.get(map, key)
  def get(_, _), do: nil

  @doc "A map of `convert`ed values for a map of maps (nil stays nil)."
  def each(map, convert) when is_map(map), do: Map.new(map, fn {k, v} -> {k, convert.(v || %{})} end)
  def each(_, _), do: nil
end

defmodule Fivetrex.Models.Group do
  @moduledoc """
  A group: connectors that load into one destination. Fields as the API sent them
  (`created_at` an ISO 8601 string, as in Fivetrex); nil where absent.
  """
  defstruct [:id, :name, :created_at]

  @type t :: %__MODULE__{id: String.t() | nil, name: String.t() | nil, created_at: String.t() | nil}

  @doc "A group from the API's map (string keys); unknown keys are ignored."
  @spec from_map(map()) :: t()
  def from_map(map), do: %__MODULE__{id: map["id"], name: map["name"], created_at: map["created_at"]}
end

defmodule Fivetrex.Models.Connector do
  @moduledoc """
  A connector (a connection in the current API). Fields as the API sent them, nil where absent,
  as in Fivetrex: timestamps are ISO 8601 strings, `status` and `config` maps with string keys
  (config differs per service; secrets in it arrive masked). `setup_state` is read from the
  connector, else from its `status`. Beyond Fivetrex: `schedule_type`, and `raw`, the whole map.
  """
  defstruct [
    :id,
    :group_id,
    :service,
    :service_version,
    :schema,
    :paused,
    :pause_after_trial,
    :sync_frequency,
    :schedule_type,
    :status,
    :setup_state,
    :created_at,
    :succeeded_at,
    :failed_at,
    :config,
    :connect_card,
    raw: %{}
  ]

  @type t :: %__MODULE__{}

  import Fivetrex.Models, only: [get: 2]

  @doc "A connector from the API's map (string keys)."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      id: map["id"],
      group_id: map["group_id"],
      service: map["service"],
      service_version: map["service_version"],
      schema: map["schema"],
      paused: map["paused"],
      pause_after_trial: map["pause_after_trial"],
      sync_frequency: map["sync_frequency"],
      schedule_type: map["schedule_type"],
      status: map["status"],
      setup_state: map["setup_state"] || get(map["status"], "setup_state"),
      created_at: map["created_at"],
      succeeded_at: map["succeeded_at"],
      failed_at: map["failed_at"],
      config: map["config"],
      connect_card: map["connect_card"],
      raw: map
    }
  end

  @doc "`status[\"sync_state\"]` (`\"scheduled\"`, `\"syncing\"`, `\"paused\"`, `\"rescheduled\"`), nil when absent."
  @spec sync_state(t()) :: String.t() | nil
  def sync_state(%__MODULE__{status: status}), do: get(status, "sync_state")

  @doc "True while a sync runs; false otherwise, a nil status included."
  @spec syncing?(t()) :: boolean()
  def syncing?(connector), do: sync_state(connector) == "syncing"

  @doc "True when `paused` is true; false otherwise, nil included."
  @spec paused?(t()) :: boolean()
  def paused?(%__MODULE__{paused: paused}), do: paused == true

  @doc "True when the setup is broken (nothing syncs until someone fixes it)."
  @spec broken?(t()) :: boolean()
  def broken?(%__MODULE__{setup_state: s}), do: s == "broken"

  @doc "The later of `succeeded_at` and `failed_at` as a DateTime, nil when neither is set."
  @spec last_sync_at(t()) :: DateTime.t() | nil
  def last_sync_at(%__MODULE__{succeeded_at: s, failed_at: f}),
    do: Fivetrex.Models.latest(Fivetrex.Models.time(s), Fivetrex.Models.time(f))
end

defmodule Fivetrex.Models.Destination do
  @moduledoc "A destination: the warehouse a group loads into. Fields as sent, nil where absent."
  defstruct [:id, :group_id, :service, :region, :time_zone_offset, :setup_status, :config]

  @type t :: %__MODULE__{}

  @doc "A destination from the API's map (string keys)."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      id: map["id"],
      group_id: map["group_id"],
      service: map["service"],
      region: map["region"],
      time_zone_offset: map["time_zone_offset"],
      setup_status: map["setup_status"],
      config: map["config"]
    }
  end
end

defmodule Fivetrex.Models.Column do
  @moduledoc "A column of a table's configuration. Fields as sent, nil where absent."
  defstruct [:name_in_destination, :enabled, :hashed, :is_primary_key, :enabled_patch_settings, :type]

  @type t :: %__MODULE__{}

  @doc "A column from the API's map."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      name_in_destination: map["name_in_destination"],
      enabled: map["enabled"],
      hashed: map["hashed"],
      is_primary_key: map["is_primary_key"],
      enabled_patch_settings: map["enabled_patch_settings"],
      type: map["type"]
    }
  end
end

defmodule Fivetrex.Models.Table do
  @moduledoc "A table of a schema's configuration; `columns` maps names to `Fivetrex.Models.Column`."
  defstruct [
    :name_in_destination,
    :enabled,
    :sync_mode,
    :supports_columns_config,
    :enabled_patch_settings,
    :columns
  ]

  @type t :: %__MODULE__{}

  @doc "A table from the API's map; its columns become `Fivetrex.Models.Column` structs."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      name_in_destination: map["name_in_destination"],
      enabled: map["enabled"],
      sync_mode: map["sync_mode"],
      supports_columns_config: map["supports_columns_config"],
      enabled_patch_settings: map["enabled_patch_settings"],
      columns: Fivetrex.Models.each(map["columns"], &Fivetrex.Models.Column.from_map/1)
    }
  end
end

defmodule Fivetrex.Models.Schema do
  @moduledoc "A schema of a connector's configuration; `tables` maps names to `Fivetrex.Models.Table`."
  defstruct [:name_in_destination, :enabled, :tables]

  @type t :: %__MODULE__{}

  @doc "A schema from the API's map; its tables become `Fivetrex.Models.Table` structs."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      name_in_destination: map["name_in_destination"],
      enabled: map["enabled"],
      tables: Fivetrex.Models.each(map["tables"], &Fivetrex.Models.Table.from_map/1)
    }
  end
end

defmodule Fivetrex.Models.SchemaConfig do
  @moduledoc """
  A connector's schema configuration: `schemas` maps names to `Fivetrex.Models.Schema`;
  `schema_change_handling` is `"ALLOW_ALL"`, `"ALLOW_COLUMNS"` or `"BLOCK_ALL"`.
  """
  defstruct [:enable_new_by_default, :schema_change_handling, :schemas]

  @type t :: %__MODULE__{}

  @doc "A schema configuration from the API's map."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      enable_new_by_default: map["enable_new_by_default"],
      schema_change_handling: map["schema_change_handling"],
      schemas: Fivetrex.Models.each(map["schemas"], &Fivetrex.Models.Schema.from_map/1)
    }
  end
end

defmodule Fivetrex.Models.SyncStatus do
  @moduledoc """
  A connector's sync status, from `Fivetrex.Connectors.get_sync_status/2`: `sync_state`,
  `update_state` and `is_historical_sync` from its status, `succeeded_at` and `failed_at` as
  DateTimes (nil when absent or unreadable).
  """
  defstruct [:sync_state, :update_state, :is_historical_sync, :succeeded_at, :failed_at]

  @type t :: %__MODULE__{}

  import Fivetrex.Models, only: [get: 2, time: 1]

  @doc "The sync status of a `Fivetrex.Models.Connector`."
  @spec from_connector(Fivetrex.Models.Connector.t()) :: t()
  def from_connector(%Fivetrex.Models.Connector{status: status, succeeded_at: s, failed_at: f}) do
    %__MODULE__{
      sync_state: get(status, "sync_state"),
      update_state: get(status, "update_state"),
      is_historical_sync: get(status, "is_historical_sync"),
      succeeded_at: time(s),
      failed_at: time(f)
    }
  end

  @doc "True while syncing."
  @spec syncing?(t()) :: boolean()
  def syncing?(%__MODULE__{sync_state: s}), do: s == "syncing"

  @doc "True when paused."
  @spec paused?(t()) :: boolean()
  def paused?(%__MODULE__{sync_state: s}), do: s == "paused"

  @doc "True when waiting for its next sync."
  @spec scheduled?(t()) :: boolean()
  def scheduled?(%__MODULE__{sync_state: s}), do: s == "scheduled"
end

defmodule Fivetrex.Models.Webhook do
  @moduledoc """
  A webhook: `type` `"account"` or `"group"` (then `group_id`), `url`, `events`, `active`,
  `secret` (as the API returns it), `created_at` as a DateTime (nil when absent or unreadable),
  `created_by`.
  """
  defstruct [:id, :type, :group_id, :url, :events, :active, :secret, :created_at, :created_by]

  @type t :: %__MODULE__{}

  @doc "A webhook from the API's map."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      id: map["id"],
      type: map["type"],
      group_id: map["group_id"],
      url: map["url"],
      events: map["events"],
      active: map["active"],
      secret: map["secret"],
      created_at: Fivetrex.Models.time(map["created_at"]),
      created_by: map["created_by"]
    }
  end

  @doc "True for an account-level webhook."
  @spec account_level?(t()) :: boolean()
  def account_level?(%__MODULE__{type: type}), do: type == "account"

  @doc "True for a group-level webhook."
  @spec group_level?(t()) :: boolean()
  def group_level?(%__MODULE__{type: type}), do: type == "group"
end

defmodule Fivetrex.Models.WebhookEvent do
  @moduledoc """
  A webhook delivery's payload: `event` (`"sync_start"`, `"sync_end"`, ...), `created` as a
  DateTime, `connector_id`, `connector_type`, `connector_name`, `sync_id`, `group_id`,
  `destination_group_id` (falls back to `group_id` for older payloads), `status`
  (`"SUCCESSFUL"`, `"FAILED"`, ...), `data`, and `extra`: every field not listed here, so that
  nothing the API adds is lost.
  """
  @known ~w(event created connector_id connector_type connector_name sync_id group_id destination_group_id status data)

  defstruct [
    :event,
    :created,
    :connector_id,
    :connector_type,
    :connector_name,
    :sync_id,
    :group_id,
    :destination_group_id,
    :status,
    :data,
    extra: %{}
  ]

  @type t :: %__MODULE__{}

  @doc "An event from the decoded payload (string keys)."
  @spec from_map(map()) :: t()
  def from_map(map) do
    %__MODULE__{
      event: map["event"],
      created: Fivetrex.Models.time(map["created"]),
      connector_id: map["connector_id"],
      connector_type: map["connector_type"],
      connector_name: map["connector_name"],
      sync_id: map["sync_id"],
      group_id: map["group_id"],
      destination_group_id: map["destination_group_id"] || map["group_id"],
      status: map["status"],
      data: map["data"],
      extra: Map.drop(map, @known)
    }
  end

  @doc "True for a `sync_start` event."
  @spec sync_start?(t()) :: boolean()
  def sync_start?(%__MODULE__{event: e}), do: e == "sync_start"

  @doc "True for a `sync_end` event."
  @spec sync_end?(t()) :: boolean()
  def sync_end?(%__MODULE__{event: e}), do: e == "sync_end"

  @doc "True when `status` is `\"SUCCESSFUL\"`."
  @spec successful?(t()) :: boolean()
  def successful?(%__MODULE__{status: s}), do: s == "SUCCESSFUL"

  @doc "True when `status` is `\"FAILED\"`."
  @spec failed?(t()) :: boolean()
  def failed?(%__MODULE__{status: s}), do: s == "FAILED"
end

defmodule Fivetrex.Models.LogEntry do
  @moduledoc """
  A row of the Fivetran Platform Connector's `log` table (see `Fivetrex.SyncLogs`), as your
  warehouse client returns it (a map with string keys). `time_stamp` becomes a UTC DateTime (nil
  when absent or unreadable); the other fields stay as given.
  """
  defstruct [:id, :time_stamp, :connector_id, :event, :message_event, :message_data]

  @type t :: %__MODULE__{}

  @schema_changes ~w(create_table alter_table drop_table create_schema)

  @doc "An entry from one row."
  @spec from_row(map()) :: t()
  def from_row(row) do
    %__MODULE__{
      id: row["id"],
      time_stamp: Fivetrex.Models.time(row["time_stamp"]),
      connector_id: row["connector_id"],
      event: row["event"],
      message_event: row["message_event"],
      message_data: row["message_data"]
    }
  end

  @doc "Entries from rows, in order."
  @spec from_rows([map()]) :: [t()]
  def from_rows(rows), do: Enum.map(rows, &from_row/1)

  @doc "True for a `sync_start` event."
  @spec sync_start?(t()) :: boolean()
  def sync_start?(%__MODULE__{event: e}), do: e == "sync_start"

  @doc "True for a `sync_end` event."
  @spec sync_end?(t()) :: boolean()
  def sync_end?(%__MODULE__{event: e}), do: e == "sync_end"

  @doc "True for `create_table`, `alter_table`, `drop_table` and `create_schema`."
  @spec schema_change?(t()) :: boolean()
  def schema_change?(%__MODULE__{event: e}), do: e in @schema_changes
end
