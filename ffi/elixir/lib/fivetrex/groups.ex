defmodule Fivetrex.Groups do
  @moduledoc """
  Groups: list, stream, get, create, update, delete.

      {:ok, %{items: groups, next_cursor: cursor}} = Fivetrex.Groups.list(client, limit: 100)
      {:ok, %{items: more}} = Fivetrex.Groups.list(client, cursor: cursor)
      Fivetrex.Groups.stream(client) |> Enum.count()
  """

  alias Fivetrex.{API, Native}
  alias Fivetrex.Models.Group

  @doc "One page of groups. Options: `:limit` (1..1000, default 1000), `:cursor`."
  @spec list(Fivetrex.Client.t(), keyword()) ::
          {:ok, %{items: [Group.t()], next_cursor: String.t() | nil}} | {:error, Fivetrex.Error.t()}
  def list(client, opts \\ []), do: API.page(open(client, opts), &Group.from_map/1)

  @doc """
  Every group as a lazy `Stream`: a page is fetched only when the previous one is used up.
  Options as `list/2`. Raises `Fivetrex.Error` if a page fails.
  """
  @spec stream(Fivetrex.Client.t(), keyword()) :: Enumerable.t()
  def stream(client, opts \\ []), do: API.walk(open(client, opts), &Group.from_map/1)

  @doc "One group; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Fivetrex.Client.t(), String.t()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def get(client, id), do: API.wrap(Native.group_get(client.ref, text(id)), &Group.from_map/1)

  @doc "Creates a group: `create(client, %{name: \"analytics\"})`. Not repeated after an ambiguous failure."
  @spec create(Fivetrex.Client.t(), map() | keyword()) :: {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def create(client, params), do: API.wrap(Native.group_create(client.ref, name(params)), &Group.from_map/1)

  @doc "Renames a group: `update(client, id, %{name: \"renamed\"})`."
  @spec update(Fivetrex.Client.t(), String.t(), map() | keyword()) ::
          {:ok, Group.t()} | {:error, Fivetrex.Error.t()}
  def update(client, id, params),
    do: API.wrap(Native.group_update(client.ref, text(id), name(params)), &Group.from_map/1)

  @doc """
  Deletes a group with everything in it. Your user states the confirmation: `confirm:` must be
  the group's id, or nothing is sent and the result is
  `{:error, %Fivetrex.Error{type: :confirmation_required}}`.

      :ok = Fivetrex.Groups.delete(client, "group_id", confirm: "group_id")
  """
  @spec delete(Fivetrex.Client.t(), String.t(), keyword()) :: :ok | {:error, Fivetrex.Error.t()}
  def delete(client, id, opts \\ []) do
    with {:ok, confirm} <- Fivetrex.API.confirmation(opts, "Fivetrex.Groups.delete/3"),
         {:ok, _} <- API.wrap(Native.group_delete(client.ref, text(id), confirm), & &1),
         do: :ok
  end

  defp open(client, opts) do
    {limit, cursor} = API.list_args(opts)
    fn -> Native.groups_list(client.ref, limit, cursor) end
  end

  defp name(params) do
    case Map.new(params) do
      %{name: name} when is_binary(name) -> name
      %{"name" => name} when is_binary(name) -> name
      _ -> raise ArgumentError, "a group needs a :name string, got #{inspect(params)}"
    end
  end

  defp text(id) when is_binary(id), do: id
  defp text(id), do: raise(ArgumentError, "a group id must be a string, got #{inspect(id)}")
end
