defmodule Fivetrex.Webhooks do
  @moduledoc """
  Webhooks: `list/2`, `stream/2`, `get/2`, `create_account/2`, `create_group/3`, `update/3`,
  `delete/2`, `test/3`. Verify what they deliver with `Fivetrex.WebhookSignature` or
  `Fivetrex.WebhookPlug`.

      {:ok, hook} = Fivetrex.Webhooks.create_account(client, %{url: "https://...", events: ["sync_end"], active: true})
      {:ok, _} = Fivetrex.Webhooks.test(client, hook.id, event: "sync_end")
  """

  alias Fivetrex.{Client, Resource}
  alias Fivetrex.Models.Webhook

  @doc "One page of webhooks. Options: `:limit`, `:cursor`."
  @spec list(Client.t(), keyword()) ::
          {:ok, %{items: [Webhook.t()], next_cursor: String.t() | nil}} | {:error, Fivetrex.Error.t()}
  def list(client, opts \\ []), do: Resource.page(client, "/webhooks", opts, &Webhook.from_map/1)

  @doc "Every webhook as a lazy `Stream`; raises `Fivetrex.Error` if a page fails."
  @spec stream(Client.t(), keyword()) :: Enumerable.t()
  def stream(client, opts \\ []),
    do: Fivetrex.Stream.paginate(fn cursor -> list(client, Keyword.put(opts, :cursor, cursor)) end)

  @doc "One webhook."
  @spec get(Client.t(), String.t()) :: {:ok, Webhook.t()} | {:error, Fivetrex.Error.t()}
  def get(client, id), do: client |> Client.get(path(id)) |> Resource.data(&Webhook.from_map/1)

  @doc "Creates an account-level webhook: `%{url:, events: [...], active:, secret:}`."
  @spec create_account(Client.t(), map()) :: {:ok, Webhook.t()} | {:error, Fivetrex.Error.t()}
  def create_account(client, params),
    do: client |> Client.post("/webhooks/account", Map.new(params)) |> Resource.data(&Webhook.from_map/1)

  @doc "Creates a webhook for one group's connectors."
  @spec create_group(Client.t(), String.t(), map()) :: {:ok, Webhook.t()} | {:error, Fivetrex.Error.t()}
  def create_group(client, group_id, params),
    do:
      client
      |> Client.post("/webhooks/group/" <> Resource.id!(group_id, "a group id"), Map.new(params))
      |> Resource.data(&Webhook.from_map/1)

  @doc "Changes a webhook (`url`, `events`, `active`, `secret`)."
  @spec update(Client.t(), String.t(), map()) :: {:ok, Webhook.t()} | {:error, Fivetrex.Error.t()}
  def update(client, id, params),
    do: client |> Client.patch(path(id), Map.new(params)) |> Resource.data(&Webhook.from_map/1)

  @doc "Deletes a webhook; `:ok` on success."
  @spec delete(Client.t(), String.t()) :: :ok | {:error, Fivetrex.Error.t()}
  def delete(client, id), do: client |> Client.delete(path(id)) |> Resource.ok()

  @doc """
  Asks the API to deliver a test event to the webhook's URL; `event:` picks the event
  (`"sync_start"`, `"sync_end"`, ...). Returns the API's `data` as a map. Without `event:` the
  body is `{}` as in Fivetrex, which the current API refuses (400: `event` is required): pass it.
  """
  @spec test(Client.t(), String.t(), keyword()) :: {:ok, map()} | {:error, Fivetrex.Error.t()}
  def test(client, id, opts \\ []) do
    body = if opts[:event], do: %{event: opts[:event]}, else: %{}
    client |> Client.post(path(id) <> "/test", body) |> Resource.data(& &1)
  end

  defp path(id), do: "/webhooks/" <> Resource.id!(id, "a webhook id")
end
