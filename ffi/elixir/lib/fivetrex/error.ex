defmodule Fivetrex.Error do
  @moduledoc """
  What a failed call returns as `{:error, %Fivetrex.Error{}}`.

  `:type` is one of `:unauthorized` (401), `:forbidden` (403), `:not_found` (404), `:conflict`
  (409), `:invalid_request` (400, 405, 406, 415, 422), `:rate_limited` (429, after the
  retries; see `:retry_after`), `:server_error` (5xx, after the retries), `:unknown` (another
  status), `:transport`, `:timeout`, `:decode`, `:config`, `:invalid_argument`,
  `:confirmation_required`, `:repeated_cursor`, `:cancelled` (the caller's own timeout passed,
  see `Fivetrex.Connectors.sync_and_wait/3`), `:webhook_signature`, `:webhook_payload` or
  `:panic` (a library bug).

  `:status` is the HTTP status (nil without an answer), `:code` and `:api_message` the API's
  error code (`"NotFound_Connector"`) and message, `:message` a readable description,
  `:retry_after` the seconds a 429 asked to wait (nil otherwise). No field holds the secret.
  """
  defexception [:type, :status, :code, :message, :api_message, :retry_after]

  @type t :: %__MODULE__{
          type: atom(),
          status: pos_integer() | nil,
          code: String.t() | nil,
          message: String.t(),
          api_message: String.t() | nil,
          retry_after: non_neg_integer() | nil
        }

  @doc false
  def from_native({kind, status, message, code, api_message, retry_after_ms}) do
    %__MODULE__{
      type: type(kind),
      status: if(status == 0, do: nil, else: status),
      code: code,
      message: message,
      api_message: api_message,
      retry_after: if(retry_after_ms < 0, do: nil, else: div(retry_after_ms + 999, 1000))
    }
  end

  defp type(:server), do: :server_error
  defp type(:http), do: :unknown
  defp type(kind), do: kind
end
