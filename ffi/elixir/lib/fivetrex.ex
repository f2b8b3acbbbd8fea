defmodule Fivetrex do
  @moduledoc """
  Elixir client for the Fivetran REST API over `libfivetrex` (the fivetrex Rust crate's C ABI),
  with the API of the Fivetrex Hex package:

      client = Fivetrex.client(api_key: "...", api_secret: "...")
      {:ok, %{items: groups, next_cursor: cursor}} = Fivetrex.Groups.list(client)
      Fivetrex.Groups.stream(client) |> Stream.map(& &1.name) |> Enum.take(5)
      {:error, %Fivetrex.Error{type: :not_found}} = Fivetrex.Connectors.get(client, "nope")

  Requests, retries (429 with `Retry-After`, 5xx, transport errors), pagination and error
  decoding happen in the library; every call that can block runs on a dirty I/O scheduler, so
  the VM stays responsive during slow requests. Results are structs (`Fivetrex.Models.Group`,
  `Fivetrex.Models.Connector`) or, for raw calls and nested objects, maps with string keys as
  the API sent them. Clients and lists are freed by the garbage collector.
  """

  alias Fivetrex.{Client, Error, Native}

  @doc """
  Creates a client. Nothing is sent.

  Options: `:api_key` and `:api_secret` (required), `:base_url` (default
  `https://api.fivetran.com`; plain `http://` for loopback only), and, in milliseconds,
  `:connect_timeout` (10 000), `:timeout` per request (60 000), `:retry_base_delay` (500),
  `:max_retry_after` (60 000: a longer `Retry-After` is returned as `:rate_limited` at once),
  `:retry_deadline` (300 000); `:max_attempts` (5), `:max_requests_per_second` (no limit),
  `:user_agent`. Raises `ArgumentError` for a missing key or secret or a bad URL.
  """
  @spec client(keyword()) :: Client.t()
  def client(opts) do
    base_url = Keyword.get(opts, :base_url)

    options = {
      ms(opts, :connect_timeout),
      ms(opts, :timeout),
      Keyword.get(opts, :max_attempts, 0),
      ms(opts, :retry_base_delay),
      ms(opts, :max_retry_after),
      ms(opts, :retry_deadline),
      Keyword.get(opts, :max_requests_per_second, 0) / 1,
      Keyword.get(opts, :user_agent)
    }

    case Native.client_new(text(opts, :api_key), text(opts, :api_secret), base_url, options) do
      {:ok, ref} -> %Client{ref: ref, base_url: base_url || "https://api.fivetran.com"}
      {:error, detail} -> raise ArgumentError, "Fivetrex.client/1: " <> Error.from_native(detail).message
    end
  end

  @doc "The version of the linked libfivetrex."
  @spec library_version() :: String.t()
  def library_version, do: Native.version()

  defp text(opts, key) do
    case Keyword.get(opts, key) do
      value when is_binary(value) -> value
      nil -> ""
      other -> raise ArgumentError, "Fivetrex.client/1: #{key} must be a string, got #{inspect(other)}"
    end
  end

  defp ms(opts, key) do
    case Keyword.get(opts, key, 0) do
      n when is_integer(n) and n >= 0 ->
        n

      other ->
        raise ArgumentError, "Fivetrex.client/1: #{key} must be milliseconds >= 0, got #{inspect(other)}"
    end
  end
end
