defmodule Fivetrex.Case do
  @moduledoc "Shared setup: a fresh stand-in API per test and a client with quick retries."
  use ExUnit.CaseTemplate

  using do
    quote do
      import Fivetrex.Case
      alias Fivetrex.FakeAPI
    end
  end

  def client(api, extra \\ []) do
    Fivetrex.client(
      [
        api_key: Fivetrex.FakeAPI.key(),
        api_secret: Fivetrex.FakeAPI.secret(),
        base_url: api.url,
        retry_base_delay: 1,
        timeout: 10_000
      ] ++
        extra
    )
  end
end
