defmodule Fivetrex do
  @moduledoc """
  Elixir client for the Fivetran REST API over `libfivetrex` (the fivetrex Rust crate's C ABI),
  a drop-in replacement for the Fivetrex Hex package (0.2.2): the same modules, functions,
  return shapes and struct fields.

      client = Fivetrex.client(api_key: "...", api_secret: "...")
      {:ok, %{items: groups, next_cursor: cursor}} = Fivetrex.Groups.list(client)
      Fivetrex.Groups.stream(client) |> Stream.map(& &1.name) |> Enum.take(5)
      {:error, %Fivetrex.Error{type: :not_found}} = Fivetrex.Connectors.get(client, "nope")

  Differences, all in the caller's favour without changing a shape:

    * connectors are reached through the API's current `/connections` paths (Fivetrex calls
      the older `/connectors` ones);
    * ids are percent-encoded in paths; `Retry-After` is understood as an HTTP-date too;
      400/403/409 and transport failures keep Fivetrex's `:type` but carry `:reason`, `:code`
      and `:detail` (see `Fivetrex.Error`); the API's v2 `Accept` header is sent;
    * every call that can block runs on a dirty I/O scheduler, so the VM stays responsive;
    * beyond Fivetrex: `Fivetrex.Connectors.sync_and_wait/3`, `Fivetrex.FanOut`,
      `Fivetrex.API.call/4` (every operation of the API), cancellation when the caller dies.

  Each call sends one request, as in Fivetrex; retry with `with_retry/2`, or let the library
  retry by itself with the client option `max_attempts:`.
  """

  alias Fivetrex.{Client, Native}

  @doc """
  Creates a client; nothing is sent. Raises `KeyError` when `:api_key` or `:api_secret` is
  missing.

  Options: `:api_key`, `:api_secret`, `:base_url` (default `https://api.fivetran.com/v1`; a test
  server sees `/groups`; plain `http://` for loopback only). Beyond Fivetrex, in milliseconds:
  `:connect_timeout` (10 000), `:timeout` per request (60 000), `:retry_base_delay` (500),
  `:max_retry_after` (60 000), `:retry_deadline` (300 000); `:max_attempts` (1: one request per
  call; 5 turns on the library's own retries of 429, 5xx and transport failures),
  `:max_requests_per_second` (no limit), `:user_agent`.
  """
  @spec client(keyword()) :: Client.t()
  def client(opts), do: Client.new(opts)

  @doc """
  Runs `fun` with `Fivetrex.Retry.with_backoff/2` (options there: `:max_attempts`,
  `:base_delay_ms`, `:max_delay_ms`, `:jitter`, `:retry_if`, `:on_retry`).

      {:ok, groups} = Fivetrex.with_retry(fn -> Fivetrex.Groups.list(client) end, max_attempts: 5)
  """
  @spec with_retry((() -> {:ok, any()} | {:error, Fivetrex.Error.t()}), keyword()) ::
          {:ok, any()} | {:error, Fivetrex.Error.t()}
  def with_retry(fun, opts \\ []), do: Fivetrex.Retry.with_backoff(fun, opts)

  @doc "The version of the linked libfivetrex."
  @spec library_version() :: String.t()
  def library_version, do: Native.version()
end
