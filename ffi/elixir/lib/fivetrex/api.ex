defmodule Fivetrex.API do
  @moduledoc """
  Any request of the API, for what the resource modules do not cover: the same auth, retry,
  throttle and error handling.

      {:ok, %{"data" => account}} = Fivetrex.API.request(client, "GET", "/v1/account/info")
      Fivetrex.API.stream(client, "/v1/users", limit: 100) |> Enum.to_list()

  Every operation of the API by its `operationId` (the spec's, as in the library's operation
  table), with the path filled and percent-encoded by the library:

      {:ok, %{"data" => group}} = Fivetrex.API.call(client, "group_details", %{groupId: "g1"})
      {:ok, _} = Fivetrex.API.call(client, "modify_group", %{groupId: "g1"}, body: %{name: "new"})
      {:ok, _} = Fivetrex.API.call(client, "delete_group", %{groupId: "g1"}, confirm: "g1")
      Fivetrex.API.stream_operation(client, "list_all_users", %{limit: 100}) |> Enum.to_list()

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

  @doc """
  Calls the operation `operation_id` and returns the whole decoded answer, envelope included
  (`%{}` for an empty body). `params` (map or keyword list): a key naming a path parameter of
  the operation (as the spec names it: `groupId`) fills the path, every other key is a query parameter (a list repeats the key).
  Options: `:body` (any map or list, sent as JSON), `:confirm`: operations that destroy data
  (every DELETE, resyncs, column drops) are sent only when it names their target (the last path
  parameter); otherwise `{:error, %Fivetrex.Error{reason: :confirmation_required}}` and nothing
  is sent. An unknown operation id is `reason: :invalid_argument`. One request unless the
  client was made with `max_attempts:`.
  """
  @spec call(Client.t(), String.t(), map() | keyword(), keyword()) :: {:ok, term()} | {:error, Error.t()}
  def call(%Client{ref: ref}, operation_id, params \\ %{}, opts \\ []) when is_binary(operation_id) do
    params = if Enum.empty?(params), do: nil, else: Map.new(params)

    case Native.operation_call(ref, operation_id, params, opts[:body], opts[:confirm]) do
      {:ok, nil} -> {:ok, %{}}
      {:ok, answer} -> {:ok, answer}
      {:error, detail} -> {:error, Error.from_native(detail)}
    end
  end

  @doc """
  Every item of a list operation (`data.items`, every page), lazily, as maps. `params` as in
  `call/4`; `limit` is the page size, `cursor` the page to start from. Raises `Fivetrex.Error`
  if a page fails (an operation that does not page: `reason: :invalid_argument`).
  """
  @spec stream_operation(Client.t(), String.t(), map() | keyword()) :: Enumerable.t()
  def stream_operation(%Client{ref: ref}, operation_id, params \\ %{}) when is_binary(operation_id) do
    params = if Enum.empty?(params), do: nil, else: Map.new(params)
    walk(fn -> Native.operation_list(ref, operation_id, params) end, & &1)
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
