defmodule Fivetrex.WebhookSignature do
  @moduledoc """
  Verifies that a webhook delivery comes from Fivetran: the `X-Fivetran-Signature-256` header
  is the HMAC-SHA256 of the raw body under the webhook's secret, in hex.

      :ok = Fivetrex.WebhookSignature.verify(raw_body, signature, secret)

  The comparison takes the same time wherever the signatures differ, and accepts hex in any
  case.
  """

  @header "x-fivetran-signature-256"

  @doc "The request header that carries the signature (lower case, as Plug stores headers)."
  @spec signature_header() :: String.t()
  def signature_header, do: @header

  @doc "The signature of `payload` under `secret`: 64 upper-case hex digits."
  @spec compute_signature(binary(), binary()) :: String.t()
  def compute_signature(payload, secret) when is_binary(payload) and is_binary(secret),
    do: :crypto.mac(:hmac, :sha256, secret, payload) |> Base.encode16(case: :upper)

  @doc """
  `:ok` when `signature` is `payload`'s signature under `secret`;
  `{:error, :missing_signature}` for nil or `""`, `{:error, :invalid_signature}` otherwise.
  """
  @spec verify(binary(), String.t() | nil, binary()) ::
          :ok | {:error, :missing_signature | :invalid_signature}
  def verify(_payload, signature, _secret) when signature in [nil, ""], do: {:error, :missing_signature}

  def verify(payload, signature, secret) when is_binary(signature) do
    expected = compute_signature(payload, secret)

    if equal?(String.upcase(signature), expected), do: :ok, else: {:error, :invalid_signature}
  end

  # Constant time for equal lengths: every byte is looked at whatever the first difference.
  defp equal?(a, b) when byte_size(a) == byte_size(b) do
    :crypto.exor(a, b) |> :binary.bin_to_list() |> Enum.reduce(0, &Bitwise.bor/2) == 0
  end

  defp equal?(_, _), do: false
end
