defmodule Fivetrex.Groups do
  @moduledoc """
  Groups: list, stream, get, create, update, delete.

      {:ok, %{items: groups, next_cursor: cursor}} = Fivetrex.Groups.list(client, limit: 100)
      {:ok, %{items: more}} = Fivetrex.Groups.list(client, cursor: cursor)
      Fivetrex.Groups.stream(client) |> Enum.count()
  """

  alias Fivetrex.API
  alias Fivetrex.Models.Group

  @doc "One page of groups. Options: `:limit` (1..1000, default 1000), `:cursor`."
  @spec list(Fivetrex.Client.t(), keyword()) ::
          {:ok, %{items: [Group.t()], next_cursor: String.t() | nil}} | {:error, Fivetrex.Error.t()}
  def list(client, opts \\ []), do: API.page(client, "/v1/groups", opts, &Group.from_map/1)

  @doc """
  Every group as a lazy `Stream`: a page is fetched only when the previous one is used up.
  Options as `list/2`. Raises `Fivetrex.Error` if a page fails.
  """
  @spec stream(Fivetrex.Client.t(), keyword()) :: Enumerable.t()
  def stream(client, opts \\ []), do: API.stream(client, "/v1/groups", opts, &Group.from_map/1)

  @doc "One group; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Fivetrex.Client.t(), String.t()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def get(client, id) do
    with :ok <- API.check_id(id),
         do: API.data(client, "GET", API.path(["v1", "groups", id]), nil, &Group.from_map/1)
  end

  @doc "Creates a group: `create(client, %{name: \"analytics\"})`."
  @spec create(Fivetrex.Client.t(), map()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def create(client, params), do: API.data(client, "POST", "/v1/groups", Map.new(params), &Group.from_map/1)

  @doc "Changes a group: `update(client, id, %{name: \"renamed\"})`."
  @spec update(Fivetrex.Client.t(), String.t(), map()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def update(client, id, params) do
    with :ok <- API.check_id(id),
         do: API.data(client, "PATCH", API.path(["v1", "groups", id]), Map.new(params), &Group.from_map/1)
  end

  @doc "Deletes a group."
  @spec delete(Fivetrex.Client.t(), String.t()) :: :ok | {:error, Fivetrex.Error.t()}
  def delete(client, id) do
    with :ok <- API.check_id(id),
         {:ok, _} <- API.action(client, "DELETE", API.path(["v1", "groups", id])),
         do: :ok
  end
end
