defmodule Fivetrex.Native do
  @moduledoc false
  # The NIF (c_src/fivetrex_nif.c). Every function that makes a request runs on a dirty I/O
  # scheduler. Errors come back as
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
  def list_new(_client, _path, _query, _page_size, _cursor), do: :erlang.nif_error(:nif_not_loaded)
  def list_next(_list), do: :erlang.nif_error(:nif_not_loaded)
  def list_next_page(_list), do: :erlang.nif_error(:nif_not_loaded)
  def json_decode(_binary), do: :erlang.nif_error(:nif_not_loaded)
  def json_encode(_term), do: :erlang.nif_error(:nif_not_loaded)
  def version, do: :erlang.nif_error(:nif_not_loaded)
end
