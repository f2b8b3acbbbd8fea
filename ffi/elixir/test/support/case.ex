defmodule Fivetrex.Case do
  @moduledoc "Shared setup: an emulator per test and a client of it with quick retries."
  use ExUnit.CaseTemplate

  using do
    quote do
      import Fivetrex.Case
      alias Fivetrex.Emulator
    end
  end

  def client(emu, extra \\ []) do
    Fivetrex.client(
      [
        api_key: Fivetrex.Emulator.key(),
        api_secret: Fivetrex.Emulator.secret(),
        base_url: emu.url <> "/v1",
        retry_base_delay: 1,
        timeout: 10_000
      ] ++ extra
    )
  end
end
