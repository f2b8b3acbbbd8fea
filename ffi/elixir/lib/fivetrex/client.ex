defmodule Fivetrex.Client do
  @moduledoc """
  A client made by `Fivetrex.client/1`: a handle to the library's client (connection pool,
  retry policy, the shared 429 pause), safe to share between processes, freed by the garbage
  collector once no process holds it. It holds no secret that `inspect/1` could show.
  """
  @enforce_keys [:ref]
  defstruct [:ref, :base_url]

  @type t :: %__MODULE__{ref: reference(), base_url: String.t()}
end

defimpl Inspect, for: Fivetrex.Client do
  def inspect(client, _opts), do: "#Fivetrex.Client<#{client.base_url}>"
end
