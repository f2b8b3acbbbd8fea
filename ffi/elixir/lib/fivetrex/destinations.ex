defmodule Fivetrex.Destinations do
  @moduledoc """
  Destinations (a group's warehouse; its id is the group's id): `get/2`, `create/2`,
  `update/3`, `delete/2`, `test/2`.

      {:ok, dest} = Fivetrex.Destinations.get(client, "group_id")
      {:ok, %{"setup_tests" => tests}} = Fivetrex.Destinations.test(client, "group_id")
  """

  alias Fivetrex.{Client, Resource}
  alias Fivetrex.Models.Destination

  @doc "One destination; `{:error, %Fivetrex.Error{type: :not_found}}` for an unknown id."
  @spec get(Client.t(), String.t()) :: {:ok, Destination.t()} | {:error, Fivetrex.Error.t()}
  def get(client, id), do: client |> Client.get(path(id)) |> Resource.data(&Destination.from_map/1)

  @doc """
  Creates a destination: `%{group_id: ..., service: "snowflake", region: ..., time_zone_offset:
  ..., config: %{...}}`, sent as given. Not repeated after an ambiguous failure.
  """
  @spec create(Client.t(), map()) :: {:ok, Destination.t()} | {:error, Fivetrex.Error.t()}
  def create(client, params),
    do: client |> Client.post("/destinations", Map.new(params)) |> Resource.data(&Destination.from_map/1)

  @doc "Changes a destination."
  @spec update(Client.t(), String.t(), map()) :: {:ok, Destination.t()} | {:error, Fivetrex.Error.t()}
  def update(client, id, params),
    do: client |> Client.patch(path(id), Map.new(params)) |> Resource.data(&Destination.from_map/1)

  @doc "Deletes a destination; `:ok` on success. `delete(client, id, confirm: id)` as `Fivetrex.Groups.delete/3`."
  @spec delete(Client.t(), String.t(), keyword()) :: :ok | {:error, Fivetrex.Error.t()}
  def delete(client, id, opts \\ []) do
    path = path(id)

    with :ok <- Resource.confirmed(opts, id, "Fivetrex.Destinations.delete/3"),
         do: client |> Client.delete(path) |> Resource.ok()
  end

  @doc "Runs the destination's setup tests; returns the API's `data` (`setup_tests`, ...) as a map."
  @spec test(Client.t(), String.t()) :: {:ok, map()} | {:error, Fivetrex.Error.t()}
  def test(client, id), do: client |> Client.post(path(id) <> "/test", %{}) |> Resource.data(& &1)

  defp path(id), do: "/destinations/" <> Resource.id!(id, "a destination id")
end
