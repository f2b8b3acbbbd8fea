defmodule Fivetrex.API do
  @moduledoc false
  # The one way the resource modules reach the NIF: requests, single pages and lazy streams.

  alias Fivetrex.{Client, Error, Native}

  @doc "Sends a request; returns the whole decoded answer (envelope included)."
  def request(%Client{ref: ref}, method, path, query \\ nil, body \\ nil) do
    case Native.call(ref, method, path, query, body) do
      {:ok, answer} -> {:ok, answer}
      {:error, detail} -> {:error, Error.from_native(detail)}
    end
  end

  @doc "Sends a request and returns the envelope's `data`, converted by `convert`."
  def data(client, method, path, body \\ nil, convert \\ & &1) do
    with {:ok, answer} <- request(client, method, path, nil, body) do
      case answer do
        %{"data" => data} -> {:ok, convert.(data)}
        _ -> {:error, %Error{type: :decode, message: "#{method} #{path}: the answer has no data"}}
      end
    end
  end

  @doc "Sends an action that answers with `code` and `message` only."
  def action(client, method, path, body \\ nil) do
    with {:ok, answer} <- request(client, method, path, nil, body) do
      {:ok, answer || %{"code" => "Success"}}
    end
  end

  @doc "One page: `{:ok, %{items: [...], next_cursor: cursor | nil}}`. Options `:limit`, `:cursor`."
  def page(client, path, opts, convert) do
    with {:ok, list} <- open(client, path, opts) do
      case Native.list_next_page(list) do
        {:ok, %{"items" => items} = page} ->
          {:ok, %{items: Enum.map(items, convert), next_cursor: page["next_cursor"]}}

        :done ->
          {:ok, %{items: [], next_cursor: nil}}

        {:error, detail} ->
          {:error, Error.from_native(detail)}
      end
    end
  end

  @doc """
  A lazy stream of every item, fetched a page at a time as it is consumed. A failure while
  streaming raises `Fivetrex.Error`. Options `:limit` (page size) and `:cursor` (start).
  """
  def stream(client, path, opts, convert) do
    Stream.resource(
      fn ->
        case open(client, path, opts) do
          {:ok, list} -> list
          {:error, error} -> raise error
        end
      end,
      fn
        :halt ->
          {:halt, :halt}

        list ->
          case Native.list_next_page(list) do
            {:ok, %{"items" => items}} -> {Enum.map(items, convert), list}
            :done -> {:halt, list}
            {:error, detail} -> raise Error.from_native(detail)
          end
      end,
      # The list resource is freed by the garbage collector once the stream is done with it.
      fn _ -> :ok end
    )
  end

  defp open(%Client{ref: ref}, path, opts) do
    case Native.list_new(ref, path, Keyword.get(opts, :query), Keyword.get(opts, :limit, 0), opts[:cursor]) do
      {:ok, list} -> {:ok, list}
      {:error, detail} -> {:error, Error.from_native(detail)}
    end
  end

  @doc "Builds a path from segments, percent-encoding each."
  def path(segments) do
    Enum.map_join(segments, fn s -> "/" <> URI.encode(to_string(s), &URI.char_unreserved?/1) end)
  end

  @doc "Refuses an empty id before anything is sent."
  def check_id(id) when is_binary(id) and id != "", do: :ok

  def check_id(id),
    do:
      {:error,
       %Error{type: :invalid_argument, message: "the id must be a non-empty string, got #{inspect(id)}"}}
end
