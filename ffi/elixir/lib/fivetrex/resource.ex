defmodule Fivetrex.Resource do
  @moduledoc false
  # What the resource modules share: one page of a list, one object out of the envelope.

  alias Fivetrex.Client

  # GET path with cursor/limit (and extra query) -> {:ok, %{items: [...], next_cursor: c | nil}}
  def page(client, path, opts, convert, query \\ %{}) do
    query =
      query
      |> put(:cursor, opts[:cursor])
      |> put(:limit, opts[:limit])

    case Client.request(client, "GET", path, if(query == %{}, do: nil, else: query), nil) do
      {:ok, %{"data" => %{"items" => items} = data}} when is_list(items) ->
        {:ok, %{items: Enum.map(items, convert), next_cursor: data["next_cursor"]}}

      {:ok, _other} ->
        {:error, Fivetrex.Error.refused(:decode, "#{path}: the answer has no data.items list")}

      {:error, _} = error ->
        error
    end
  end

  # {:ok, envelope} -> {:ok, convert.(data)}
  def data({:ok, %{"data" => data}}, convert) when is_map(data), do: {:ok, convert.(data)}
  def data({:ok, _}, convert), do: {:ok, convert.(%{})}
  def data({:error, _} = error, _convert), do: error

  def ok({:ok, _}), do: :ok
  def ok({:error, _} = error), do: error

  def id!(id, _what) when is_binary(id) and id != "", do: Client.seg(id)
  def id!(id, what), do: raise(ArgumentError, "#{what} must be a non-empty string, got #{inspect(id)}")

  # Fivetrex's destructive calls take no confirmation (delete/2); ours also accept one
  # (delete/3 with confirm: id) and refuse a wrong one before anything is sent.
  def confirmed(opts, id, who) do
    case Keyword.fetch(opts, :confirm) do
      :error ->
        :ok

      {:ok, ^id} ->
        :ok

      {:ok, other} ->
        {:error,
         Fivetrex.Error.refused(
           :confirmation_required,
           "#{who}: confirm: #{inspect(other)} does not name #{inspect(id)}; nothing was sent"
         )}
    end
  end

  defp put(map, _key, nil), do: map
  defp put(map, key, value), do: Map.put(map, key, value)
end
