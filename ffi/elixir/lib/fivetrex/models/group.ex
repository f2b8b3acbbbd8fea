defmodule Fivetrex.Models.Group do
  @moduledoc "A group: a set of connectors that load into one destination."
  defstruct [:id, :name, :created_at, raw: %{}]

  @typedoc "`raw` is the group as the API sent it, fields this package does not know included."
  @type t :: %__MODULE__{id: String.t(), name: String.t() | nil, created_at: DateTime.t() | nil, raw: map()}

  @doc false
  def from_map(map) do
    %__MODULE__{
      id: map["id"],
      name: map["name"],
      created_at: Fivetrex.Models.time(map["created_at"]),
      raw: map
    }
  end
end
