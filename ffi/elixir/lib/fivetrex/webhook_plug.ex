defmodule Fivetrex.WebhookPlug do
  @moduledoc """
  A Plug that receives Fivetran webhooks: it checks the signature of the raw body, decodes the
  payload into a `Fivetrex.Models.WebhookEvent` and assigns it (`conn.assigns.fivetran_event`,
  and `conn.assigns.raw_body`).

  This package has no dependencies: the plug compiles without Plug and calls `Plug.Conn` at run
  time, in the application that has it.

      # endpoint.ex: keep the raw body for the signature check
      plug Plug.Parsers,
        parsers: [:json],
        pass: ["*/*"],
        body_reader: {Fivetrex.WebhookPlug, :cache_raw_body, []},
        json_decoder: Jason

      # the controller
      plug Fivetrex.WebhookPlug, secret: {:system, "FIVETRAN_WEBHOOK_SECRET"}

  Options: `:secret` (required; a string, `{:system, "ENV_VAR"}` or `{module, function, args}`,
  read on every request), `:event_key` (default `:fivetran_event`), `:on_error`
  (`fn conn, reason -> conn end`; reason is `:missing_body`, `:missing_signature`,
  `:invalid_signature` or `:invalid_json`). The default answers, as JSON, and halts: 400
  `Missing request body`, 400 `Missing signature header`, 401 `Invalid signature`, 422
  `Invalid JSON payload` (not JSON, or not an object).
  """

  alias Fivetrex.Models.WebhookEvent
  alias Fivetrex.WebhookSignature

  # Plug is the host application's dependency, not ours: Plug.Conn is looked up at run time.
  @compile {:no_warn_undefined, Plug.Conn}
  @conn Plug.Conn

  @doc "Checks the options; raises `KeyError` without `:secret`."
  @spec init(keyword()) :: map()
  def init(opts) do
    %{
      secret: Keyword.fetch!(opts, :secret),
      event_key: Keyword.get(opts, :event_key, :fivetran_event),
      on_error: Keyword.get(opts, :on_error, &default_error/2)
    }
  end

  @doc "Verifies and assigns, or hands the conn to `:on_error`."
  @spec call(struct(), map()) :: struct()
  def call(conn, %{secret: secret, event_key: key, on_error: on_error}) do
    with {:ok, body} <- raw_body(conn),
         {:ok, signature} <- signature(conn),
         :ok <- WebhookSignature.verify(body, signature, resolve(secret)),
         {:ok, payload} <- decode(body) do
      conn
      |> @conn.assign(:raw_body, body)
      |> @conn.assign(key, WebhookEvent.from_map(payload))
    else
      {:error, reason} -> on_error.(conn, reason)
    end
  end

  @doc """
  A `Plug.Parsers` body reader that also keeps the raw body in `conn.private[:fivetrex_raw_body]`
  (for bodies read in parts, the parts joined).
  """
  @spec cache_raw_body(struct(), keyword()) ::
          {:ok, binary(), struct()} | {:more, binary(), struct()} | {:error, term()}
  def cache_raw_body(conn, opts) do
    case @conn.read_body(conn, opts) do
      {:ok, body, conn} ->
        {:ok, body, keep(conn, body)}

      {:more, part, conn} ->
        {:more, part, keep(conn, part)}

      {:error, _} = error ->
        error
    end
  end

  defp keep(conn, part) do
    so_far = conn.private[:fivetrex_raw_body] || ""
    @conn.put_private(conn, :fivetrex_raw_body, so_far <> part)
  end

  defp raw_body(conn) do
    case conn.private[:fivetrex_raw_body] do
      body when is_binary(body) -> {:ok, body}
      _ -> {:error, :missing_body}
    end
  end

  defp signature(conn) do
    case @conn.get_req_header(conn, WebhookSignature.signature_header()) do
      [signature | _] when signature != "" -> {:ok, signature}
      _ -> {:error, :missing_signature}
    end
  end

  defp resolve(secret) when is_binary(secret), do: secret

  defp resolve({:system, var}),
    do: System.get_env(var) || raise("Environment variable #{var} is not set (the webhook secret)")

  defp resolve({m, f, a}) when is_atom(m) and is_atom(f) and is_list(a), do: apply(m, f, a)

  defp decode(body) do
    case Fivetrex.Native.json_decode(body) do
      {:ok, payload} when is_map(payload) -> {:ok, payload}
      _ -> {:error, :invalid_json}
    end
  end

  @messages %{
    missing_body: {400, "Missing request body"},
    missing_signature: {400, "Missing signature header"},
    invalid_signature: {401, "Invalid signature"},
    invalid_json: {422, "Invalid JSON payload"}
  }

  defp default_error(conn, reason) do
    {status, message} = Map.fetch!(@messages, reason)
    {:ok, json} = Fivetrex.Native.json_encode(%{"error" => message})

    conn
    |> @conn.put_resp_content_type("application/json")
    |> @conn.send_resp(status, json)
    |> @conn.halt()
  end
end
