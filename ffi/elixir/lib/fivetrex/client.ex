defmodule Fivetrex.Client do
  @moduledoc """
  A client made by `Fivetrex.client/1` (or `new/1`), and the raw requests Fivetrex offers:
  `get/3`, `post/3`, `patch/3`, `delete/2`. Requests go through `libfivetrex` on a dirty I/O
  scheduler (not Req): Basic auth, the API's v2 `Accept` header, JSON both ways, errors decoded
  into `Fivetrex.Error` (401, 404, 429 with `Retry-After` as seconds or an HTTP-date, 5xx, and
  400/403/409 classified in `:reason`).

  A path is relative to `base_url`, which includes the API version as in Fivetrex (default
  `https://api.fivetran.com/v1`): `get(client, "/groups")`. Path segments are sent as given; the
  resource modules percent-encode the ids they put in paths.

  The client is a handle to the library's client (connection pool, retry policy, the shared
  429 pause), safe to share between processes and freed by the garbage collector. `req` holds
  the settings (no secret) where Fivetrex kept its `Req.Request`; `inspect/1` shows no secret.
  """

  alias Fivetrex.{Error, Native}

  @default_base_url "https://api.fivetran.com/v1"

  defstruct [:req, :ref, :base_url, :origin, :prefix]

  @type t :: %__MODULE__{
          req: map(),
          ref: reference(),
          base_url: String.t(),
          origin: String.t(),
          prefix: String.t()
        }

  @doc """
  Creates a client; nothing is sent. `:api_key` and `:api_secret` are required (`KeyError`
  otherwise), `:base_url` defaults to `#{@default_base_url}`. Options as `Fivetrex.client/1`.
  """
  @spec new(keyword()) :: t()
  def new(opts) do
    key = Keyword.fetch!(opts, :api_key)
    secret = Keyword.fetch!(opts, :api_secret)
    base_url = opts |> Keyword.get(:base_url, @default_base_url) |> String.trim_trailing("/")
    {origin, prefix} = split(base_url)

    options = {
      ms(opts, :connect_timeout),
      ms(opts, :timeout),
      # One request per call unless asked: Fivetrex users' test servers expect exactly one.
      Keyword.get(opts, :max_attempts, 1),
      ms(opts, :retry_base_delay),
      ms(opts, :max_retry_after),
      ms(opts, :retry_deadline),
      Keyword.get(opts, :max_requests_per_second, 0) / 1,
      Keyword.get(opts, :user_agent)
    }

    case Native.client_new(text(key, :api_key), text(secret, :api_secret), origin, options) do
      {:ok, ref} ->
        %__MODULE__{
          ref: ref,
          base_url: base_url,
          origin: origin,
          prefix: prefix,
          req: %{base_url: base_url, max_attempts: elem(options, 2)}
        }

      {:error, detail} ->
        raise ArgumentError, "Fivetrex.client/1: " <> Error.from_native(detail).detail
    end
  end

  @doc "GET `path`; `params:` (keyword list or map) becomes the query. Returns the decoded body."
  @spec get(t(), String.t(), keyword()) :: {:ok, map()} | {:error, Error.t()}
  def get(client, path, opts \\ []), do: request(client, "GET", path, params(opts[:params]), nil)

  @doc "POST `path` with `body` as JSON (default `%{}`). Not repeated after an ambiguous failure."
  @spec post(t(), String.t(), map()) :: {:ok, map()} | {:error, Error.t()}
  def post(client, path, body \\ %{}), do: request(client, "POST", path, nil, body)

  @doc "PATCH `path` with `body` as JSON."
  @spec patch(t(), String.t(), map()) :: {:ok, map()} | {:error, Error.t()}
  def patch(client, path, body), do: request(client, "PATCH", path, nil, body)

  @doc "DELETE `path`."
  @spec delete(t(), String.t()) :: {:ok, map()} | {:error, Error.t()}
  def delete(client, path), do: request(client, "DELETE", path, nil, nil)

  @doc false
  # A request to base_url <> path; an empty answer is %{}.
  def request(%__MODULE__{ref: ref, prefix: prefix}, method, path, query, body) do
    path = if String.starts_with?(path, "/"), do: path, else: "/" <> path

    case Native.call(ref, method, prefix <> path, query, body) do
      {:ok, nil} -> {:ok, %{}}
      {:ok, answer} -> {:ok, answer}
      {:error, detail} -> {:error, Error.from_native(detail)}
    end
  end

  @doc false
  # A path segment, percent-encoded: ids never change the path's shape.
  def seg(id) when is_binary(id), do: URI.encode(id, &URI.char_unreserved?/1)
  def seg(id) when is_integer(id) or is_atom(id), do: seg(to_string(id))

  # The library addresses the API's origin and adds /v1 itself in its own walks (sync and
  # wait, fan-out, operations): base_url "https://host/v1" -> {"https://host", "/v1"}.
  defp split(base_url) do
    if String.ends_with?(base_url, "/v1"),
      do: {String.replace_suffix(base_url, "/v1", ""), "/v1"},
      else: {base_url, ""}
  end

  defp params(nil), do: nil
  defp params(p) when is_list(p) or is_map(p), do: if(Enum.empty?(p), do: nil, else: Map.new(p))

  defp text(value, _key) when is_binary(value), do: value

  defp text(value, key),
    do: raise(ArgumentError, "Fivetrex.client/1: #{key} must be a string, got #{inspect(value)}")

  defp ms(opts, key) do
    case Keyword.get(opts, key, 0) do
      n when is_integer(n) and n >= 0 ->
        n

      other ->
        raise ArgumentError, "Fivetrex.client/1: #{key} must be milliseconds >= 0, got #{inspect(other)}"
    end
  end
end

defimpl Inspect, for: Fivetrex.Client do
  def inspect(client, _opts), do: "#Fivetrex.Client<#{client.base_url}>"
end
