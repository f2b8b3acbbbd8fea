defmodule Fivetrex.Groups do
  @moduledoc """
  Groups: `list/2`, `stream/2`, `get/2`, `create/2`, `update/3`, `delete/2`.

      {:ok, %{items: groups, next_cursor: cursor}} = Fivetrex.Groups.list(client, limit: 100)
      {:ok, %{items: more}} = Fivetrex.Groups.list(client, cursor: cursor)
      Fivetrex.Groups.stream(client) |> Enum.count()
  """

  alias Fivetrex.{Client, Resource}
  alias Fivetrex.Models.Group

  @doc "One page of groups. Options: `:limit` (1..1000; the API's default 100), `:cursor`."
  @spec list(Client.t(), keyword()) ::
          {:ok, %{items: [Group.t()], next_cursor: String.t() | nil}} | {:error, Fivetrex.Error.t()}
  def list(client, opts \\ []), do: Resource.page(client, "/groups", opts, &Group.from_map/1)

  @doc """
  Every group as a lazy `Stream`, a page fetched only when the previous one is used up.
  Options as `list/2` (`:limit` per page). Raises `Fivetrex.Error` if a page fails.
  """
  @spec stream(Client.t(), keyword()) :: Enumerable.t()
  def stream(client, opts \\ []),
    do: Fivetrex.Stream.paginate(fn cursor -> list(client, Keyword.put(opts, :cursor, cursor)) end)

  @doc "One group; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Client.t(), String.t()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def get(client, id),
    do: client |> Client.get("/groups/" <> Resource.id!(id, "a group id")) |> Resource.data(&Group.from_map/1)

  @doc "Creates a group: `create(client, %{name: \"analytics\"})`. Not repeated after an ambiguous failure."
  @spec create(Client.t(), map()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def create(client, params),
    do: client |> Client.post("/groups", Map.new(params)) |> Resource.data(&Group.from_map/1)

  @doc "Changes a group: `update(client, id, %{name: \"renamed\"})`."
  @spec update(Client.t(), String.t(), map()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def update(client, id, params),
    do:
      client
      |> Client.patch("/groups/" <> Resource.id!(id, "a group id"), Map.new(params))
      |> Resource.data(&Group.from_map/1)

  @doc """
  Deletes a group (it must hold no connectors). `:ok` on success. `delete(client, id, confirm:
  id)` sends only when the confirmation names the group (otherwise
  `{:error, %Fivetrex.Error{reason: :confirmation_required}}` and nothing is sent).
  """
  @spec delete(Client.t(), String.t(), keyword()) :: :ok | {:error, Fivetrex.Error.t()}
  def delete(client, id, opts \\ []) do
    path = "/groups/" <> Resource.id!(id, "a group id")

    with :ok <- Resource.confirmed(opts, id, "Fivetrex.Groups.delete/3"),
         do: client |> Client.delete(path) |> Resource.ok()
  end
end
