defmodule Fivetrex.Stream do
  @moduledoc """
  Lazy pagination over any `list`-shaped function, as Fivetrex's `Fivetrex.Stream`.

      Fivetrex.Stream.paginate(fn cursor -> Fivetrex.Groups.list(client, cursor: cursor) end)

  `fetch` gets `nil` first, then each `next_cursor`, and returns `{:ok, %{items: [...],
  next_cursor: cursor | nil}}`; a page is fetched only when the previous one is used up. An
  `{:error, %Fivetrex.Error{}}` is raised. Unlike Fivetrex, a cursor the API repeats ends the
  walk with an error (`reason: :repeated_cursor`) instead of looping forever.
  """

  @doc "A `Stream` of every item of every page `fetch` returns."
  @spec paginate((String.t() | nil -> {:ok, map()} | {:error, Fivetrex.Error.t()})) :: Enumerable.t()
  def paginate(fetch) when is_function(fetch, 1) do
    Elixir.Stream.resource(
      fn -> {:next, nil, MapSet.new()} end,
      fn
        :done ->
          {:halt, :done}

        {:next, cursor, seen} ->
          case fetch.(cursor) do
            {:ok, %{items: items} = page} ->
              case Map.get(page, :next_cursor) do
                nil ->
                  {items, :done}

                next ->
                  if MapSet.member?(seen, next) do
                    raise Fivetrex.Error.refused(
                            :repeated_cursor,
                            "the API repeated the cursor #{inspect(next)}"
                          )
                  end

                  {items, {:next, next, MapSet.put(seen, next)}}
              end

            {:error, error} ->
              raise error
          end
      end,
      fn _ -> :ok end
    )
  end
end
