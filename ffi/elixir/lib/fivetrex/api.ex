defmodule Fivetrex.API do
  @moduledoc """
  Any request of the API, for what the resource modules do not cover: the same auth, retry,
  throttle and error handling.

      {:ok, %{"data" => account}} = Fivetrex.API.request(client, "GET", "/v1/account/info")
      Fivetrex.API.stream(client, "/v1/users", limit: 100) |> Enum.to_list()

  Answers are maps with string keys, as the API sent them.
  """

  alias Fivetrex.{Client, Error, Native}

  @doc """
  Sends a request and returns the whole decoded answer, envelope included (nil for an empty
  body). `path` starts with `/` (segments sent as given: see `path/1`); `query` (a map of
  scalars or lists) and `body` (any map or list) may be nil. POSTs are not repeated after an
  ambiguous failure.
  """
  @spec request(Client.t(), String.t(), String.t(), map() | nil, term()) ::
          {:ok, term()} | {:error, Error.t()}
  def request(%Client{ref: ref}, method, path, query \\ nil, body \\ nil) do
    wrap(Native.call(ref, method, path, query, body), & &1)
  end

  @doc "Every item of a list path (`data.items`), lazily, as maps. Options `:limit`, `:cursor`, `:query`."
  @spec stream(Client.t(), String.t(), keyword()) :: Enumerable.t()
  def stream(%Client{ref: ref}, path, opts \\ []) do
    walk(
      fn -> Native.list_new(ref, path, opts[:query], Keyword.get(opts, :limit, 0), opts[:cursor]) end,
      & &1
    )
  end

  @doc "A path from segments, each percent-encoded: `path([\"v1\", \"groups\", id])`."
  @spec path([String.t()]) :: String.t()
  def path(segments) do
    Enum.map_join(segments, fn s -> "/" <> URI.encode(to_string(s), &URI.char_unreserved?/1) end)
  end

  @doc false
  # {:ok, value} | {:error, detail} from the NIF -> {:ok, convert.(value)} | {:error, %Error{}}
  def wrap({:ok, value}, convert), do: {:ok, convert.(value)}
  def wrap({:error, detail}, _convert), do: {:error, Error.from_native(detail)}

  @doc false
  # A lazy Stream over the list `open` makes, a page at a time; raises Fivetrex.Error on failure.
  def walk(open, convert) do
    Stream.resource(
      fn ->
        case wrap(open.(), & &1) do
          {:ok, list} -> list
          {:error, error} -> raise error
        end
      end,
      fn list ->
        case Native.list_next_page(list) do
          {:ok, %{"items" => items}} -> {Enum.map(items, convert), list}
          :done -> {:halt, list}
          {:error, detail} -> raise Error.from_native(detail)
        end
      end,
      # The list resource is freed by the garbage collector once nothing holds it.
      fn _list -> :ok end
    )
  end

end
