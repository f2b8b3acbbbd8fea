defmodule Fivetrex.Error do
  @moduledoc """
  What a failed call returns as `{:error, %Fivetrex.Error{}}`; an exception too (`raise error`).

  `:type` is one of Fivetrex's five values, so code written for Fivetrex matches unchanged:

    * `:unauthorized` (401), `:not_found` (404), `:rate_limited` (429; see `:retry_after`),
      `:server_error` (5xx),
    * `:unknown`: everything else (another status, no answer at all, bad arguments, ...).

  The fields Fivetrex has: `:type`, `:message` (the API's message, or `"Not found"`-style
  defaults when the answer has none), `:status` (the HTTP status, nil without an answer) and
  `:retry_after` (seconds a 429 asked to wait, from `Retry-After` as seconds or as an HTTP-date).

  Detail Fivetrex does not give, in extra fields: `:reason`, the precise kind (`:forbidden` 403,
  `:conflict` 409, `:invalid_request` 400/405/406/415/422, `:http` another status, `:transport`,
  `:timeout`, `:decode`, `:config`, `:invalid_argument`, `:confirmation_required`,
  `:repeated_cursor`, `:cancelled`, `:panic`, or the same atom as `:type`); `:code`, the API's
  error code (`"NotFound_Connector"`); `:detail`, the library's full description. No field holds
  the API secret.
  """
  defexception [:type, :message, :status, :retry_after, :reason, :code, :detail]

  @type error_type :: :unauthorized | :not_found | :rate_limited | :server_error | :unknown

  @type t :: %__MODULE__{
          type: error_type(),
          message: String.t(),
          status: integer() | nil,
          retry_after: integer() | nil,
          reason: atom() | nil,
          code: String.t() | nil,
          detail: String.t() | nil
        }

  @impl true
  def message(%__MODULE__{message: message}), do: message

  @doc "A 401 error with this message."
  @spec unauthorized(String.t()) :: t()
  def unauthorized(message),
    do: %__MODULE__{type: :unauthorized, reason: :unauthorized, message: message, status: 401}

  @doc "A 404 error with this message."
  @spec not_found(String.t()) :: t()
  def not_found(message), do: %__MODULE__{type: :not_found, reason: :not_found, message: message, status: 404}

  @doc "A 429 error with this message and `retry_after` seconds (or nil)."
  @spec rate_limited(String.t(), integer() | nil) :: t()
  def rate_limited(message, retry_after),
    do: %__MODULE__{
      type: :rate_limited,
      reason: :rate_limited,
      message: message,
      status: 429,
      retry_after: retry_after
    }

  @doc "A 5xx error with this message and status."
  @spec server_error(String.t(), integer()) :: t()
  def server_error(message, status),
    do: %__MODULE__{type: :server_error, reason: :server_error, message: message, status: status}

  @doc "Any other error, with this message and status (or nil)."
  @spec unknown(String.t(), integer() | nil) :: t()
  def unknown(message, status),
    do: %__MODULE__{type: :unknown, reason: :unknown, message: message, status: status}

  @doc false
  # What the NIF reports: {kind, http_status, message, api_code, api_message, retry_after_ms}.
  def from_native({kind, status, detail, code, api_message, retry_after_ms}) do
    status = if status == 0, do: nil, else: status
    type = type(kind, status)

    %__MODULE__{
      type: type,
      reason: reason(kind),
      status: status,
      code: code,
      detail: detail,
      message: message(type, status, api_message, detail),
      retry_after: if(retry_after_ms < 0, do: nil, else: div(retry_after_ms + 999, 1000))
    }
  end

  @doc false
  # An error found before anything was sent.
  def refused(reason, message),
    do: %__MODULE__{type: :unknown, reason: reason, message: message, detail: message}

  defp type(_kind, 401), do: :unauthorized
  defp type(_kind, 404), do: :not_found
  defp type(_kind, 429), do: :rate_limited
  defp type(_kind, s) when is_integer(s) and s >= 500, do: :server_error
  defp type(:unauthorized, _), do: :unauthorized
  defp type(:not_found, _), do: :not_found
  defp type(:rate_limited, _), do: :rate_limited
  defp type(:server, _), do: :server_error
  defp type(_kind, _), do: :unknown

  defp reason(:server), do: :server_error
  defp reason(kind), do: kind

  # Fivetrex's message: the API's own, else a short default by type; without an answer, the
  # library's description (connection refused, timeout, ...).
  defp message(_type, _status, api, _detail) when is_binary(api) and api != "", do: api
  defp message(:unauthorized, _, _, _), do: "Unauthorized"
  defp message(:not_found, _, _, _), do: "Not found"
  defp message(:rate_limited, _, _, _), do: "Rate limited"
  defp message(:server_error, _, _, _), do: "Server error"
  defp message(:unknown, status, _, _) when is_integer(status), do: "Request failed"
  defp message(_, _, _, detail), do: detail || "Request failed"
end
