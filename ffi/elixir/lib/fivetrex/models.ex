defmodule Fivetrex.Models do
  @moduledoc false

  @doc "An RFC 3339 timestamp (any fraction) as a DateTime; nil when absent or unreadable."
  def time(text) when is_binary(text) do
    case DateTime.from_iso8601(text) do
      {:ok, dt, _offset} -> dt
      _ -> nil
    end
  end

  def time(_), do: nil

  @doc "The later of two optional DateTimes."
  def latest(nil, b), do: b
  def latest(a, nil), do: a
  def latest(a, b), do: if(DateTime.compare(a, b) == :lt, do: b, else: a)
end
