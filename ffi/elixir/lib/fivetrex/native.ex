defmodule Fivetrex.Native do
  @moduledoc false
  # The NIF (c_src/fivetrex_nif.c), one function per C ABI function used. Every function that
  # makes a request runs on a dirty I/O scheduler. Errors come back as
  # {:error, {kind, http_status, message, api_code, api_message, retry_after_ms}}.

  @on_load :load

  def load do
    case :code.priv_dir(:fivetrex) do
      {:error, reason} -> loud("no priv directory for :fivetrex (#{inspect(reason)})")
      priv -> priv |> Path.join("fivetrex_nif") |> String.to_charlist() |> load_from()
    end
  end

  defp load_from(path) do
    case :erlang.load_nif(path, 0) do
      :ok -> :ok
      {:error, {reason, text}} -> loud("cannot load #{path}.so: #{reason}: #{text}")
    end
  end

  # A NIF that does not load leaves only UndefinedFunctionErrors behind: say why, loudly.
  defp loud(why) do
    IO.puts(:stderr, """

    *** fivetrex: the NIF is not loaded: #{why}
    *** Build libfivetrex first (`cargo build --features ffi` at the repository root), then `mix compile`.
    """)

    {:error, why}
  end

  def client_new(_key, _secret, _base_url, _options), do: :erlang.nif_error(:nif_not_loaded)
  def call(_client, _method, _path, _query, _body), do: :erlang.nif_error(:nif_not_loaded)
  def operation_call(_client, _operation_id, _params, _body, _confirm), do: :erlang.nif_error(:nif_not_loaded)
  def operation_list(_client, _operation_id, _params), do: :erlang.nif_error(:nif_not_loaded)
  def list_new(_client, _path, _query, _page_size, _cursor), do: :erlang.nif_error(:nif_not_loaded)
  def list_next(_list), do: :erlang.nif_error(:nif_not_loaded)
  def groups_list(_client, _page_size, _cursor), do: :erlang.nif_error(:nif_not_loaded)
  def connections_list(_client, _group_id, _page_size, _cursor), do: :erlang.nif_error(:nif_not_loaded)
  def group_get(_client, _id), do: :erlang.nif_error(:nif_not_loaded)
  def group_create(_client, _name), do: :erlang.nif_error(:nif_not_loaded)
  def group_update(_client, _id, _name), do: :erlang.nif_error(:nif_not_loaded)
  def group_delete(_client, _id, _confirm_id), do: :erlang.nif_error(:nif_not_loaded)
  def connection_get(_client, _id), do: :erlang.nif_error(:nif_not_loaded)
  def connection_create(_client, _body), do: :erlang.nif_error(:nif_not_loaded)
  def connection_update(_client, _id, _changes), do: :erlang.nif_error(:nif_not_loaded)
  def connection_delete(_client, _id, _confirm_id), do: :erlang.nif_error(:nif_not_loaded)
  def cancel_token_new(), do: :erlang.nif_error(:nif_not_loaded)
  def cancel_token_cancel(_token), do: :erlang.nif_error(:nif_not_loaded)
  def connection_sync(_client, _id, _force), do: :erlang.nif_error(:nif_not_loaded)
  def connection_resync(_client, _id, _tables, _confirm_id), do: :erlang.nif_error(:nif_not_loaded)
  def sync_and_wait(_client, _id, _options, _progress_pid), do: :erlang.nif_error(:nif_not_loaded)
  def wait_for_sync(_client, _id, _baseline, _options, _progress_pid), do: :erlang.nif_error(:nif_not_loaded)
  def list_next_page(_list), do: :erlang.nif_error(:nif_not_loaded)
  def json_decode(_binary), do: :erlang.nif_error(:nif_not_loaded)
  def json_encode(_term), do: :erlang.nif_error(:nif_not_loaded)
  def version, do: :erlang.nif_error(:nif_not_loaded)
  def connections_by_id(_client, _ids, _workers), do: :erlang.nif_error(:nif_not_loaded)
  def sync_and_wait_many(_client, _ids, _options, _workers), do: :erlang.nif_error(:nif_not_loaded)
end
