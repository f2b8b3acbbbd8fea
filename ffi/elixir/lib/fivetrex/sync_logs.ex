defmodule Fivetrex.SyncLogs do
  @moduledoc """
  Sync logs are not served by the REST API: the Fivetran Platform Connector writes them into
  your warehouse (schema `fivetran_metadata` by default, `fivetran_log` on older setups), in
  tables such as `log` (`id`, `connector_id`, `event`, `message_event`, `message_data`,
  `time_stamp`), `connector_sdk_log` and `audit_trail`.

  `query_example/1` gives SQL templates over `fivetran_metadata.log`; replace
  `'your_connector_id'` (and the schema, if yours differs) and run them with your warehouse's
  client; `Fivetrex.Models.LogEntry.from_rows/1` turns the rows into structs. For the live state
  of a connector use `Fivetrex.Connectors.get_sync_status/2`.
  """

  @type query_type :: :recent_syncs | :failed_syncs | :sync_duration | :schema_changes

  @doc """
  A SQL template: `:recent_syncs` (the connector's last 10 events), `:failed_syncs` (its
  failures), `:sync_duration` (minutes between each `sync_start` and `sync_end`),
  `:schema_changes` (its schema, table and column events).

      iex> Fivetrex.SyncLogs.query_example(:recent_syncs) =~ "fivetran_metadata.log"
      true
  """
  @spec query_example(query_type()) :: String.t()
  def query_example(:recent_syncs) do
    """
    SELECT time_stamp, event, message_event, message_data
    FROM fivetran_metadata.log
    WHERE connector_id = 'your_connector_id'
    ORDER BY time_stamp DESC
    LIMIT 10;
    """
  end

  def query_example(:failed_syncs) do
    """
    SELECT connector_id, time_stamp, event, message_event, message_data
    FROM fivetran_metadata.log
    WHERE connector_id = 'your_connector_id'
      AND (event = 'SEVERE' OR message_event LIKE '%error%' OR message_event LIKE '%fail%')
    ORDER BY time_stamp DESC
    LIMIT 50;
    """
  end

  def query_example(:sync_duration) do
    """
    WITH marks AS (
      SELECT connector_id, time_stamp, message_event,
             LAG(time_stamp) OVER (PARTITION BY connector_id ORDER BY time_stamp) AS started_at
      FROM fivetran_metadata.log
      WHERE connector_id = 'your_connector_id'
        AND message_event IN ('sync_start', 'sync_end')
    )
    SELECT connector_id, started_at, time_stamp AS ended_at,
           DATEDIFF('minute', started_at, time_stamp) AS duration_minutes
    FROM marks
    WHERE message_event = 'sync_end'
    ORDER BY time_stamp DESC
    LIMIT 20;
    """
  end

  def query_example(:schema_changes) do
    """
    SELECT connector_id, time_stamp, event, message_event, message_data
    FROM fivetran_metadata.log
    WHERE connector_id = 'your_connector_id'
      AND (message_event LIKE '%schema%' OR message_event LIKE '%table%' OR message_event LIKE '%column%')
    ORDER BY time_stamp DESC
    LIMIT 100;
    """
  end

  def query_example(other),
    do:
      raise(
        ArgumentError,
        "unknown query type #{inspect(other)}: one of :recent_syncs, :failed_syncs, :sync_duration, :schema_changes"
      )
end
