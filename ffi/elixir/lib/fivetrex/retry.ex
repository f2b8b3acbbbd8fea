defmodule Fivetrex.Retry do
  @moduledoc """
  Retries a call with exponential backoff, as Fivetrex does.

      {:ok, %{items: groups}} = Fivetrex.Retry.with_backoff(fn -> Fivetrex.Groups.list(client) end)

  Options: `:max_attempts` (3, first included), `:base_delay_ms` (1 000; the wait after attempt
  `n` is `base * 2^(n-1)`), `:max_delay_ms` (30 000, a cap on every wait), `:jitter` (false;
  true adds up to 25 %), `:retry_if` (a predicate on the `%Fivetrex.Error{}`, default
  `default_retry_predicate/1`: `:rate_limited` and `:server_error`), `:on_retry`
  (`fn error, attempt, delay_ms -> ... end`, called before each wait), and `:sleep`
  (`fn ms -> ... end`, default `Process.sleep/1`; tests inject their own).

  A 429's `retry_after` (seconds; the library also reads it when the API sends an HTTP-date) is
  used as the wait, capped at `:max_delay_ms`.

  The client can retry by itself instead, inside the library (one request budget, the shared
  429 pause, the rate limit): `Fivetrex.client(..., max_attempts: 5)`. By default it sends each
  request once, as Fivetrex does.
  """

  alias Fivetrex.Error

  @doc "Calls `fun` until it returns `{:ok, _}`, a non-retryable error, or the attempts run out."
  @spec with_backoff((() -> {:ok, any()} | {:error, Error.t()}), keyword()) :: {:ok, any()} | {:error, any()}
  def with_backoff(fun, opts \\ []) when is_function(fun, 0) do
    settings = %{
      max: Keyword.get(opts, :max_attempts, 3),
      base: Keyword.get(opts, :base_delay_ms, 1_000),
      cap: Keyword.get(opts, :max_delay_ms, 30_000),
      jitter: Keyword.get(opts, :jitter, false),
      retry_if: Keyword.get(opts, :retry_if, &default_retry_predicate/1),
      on_retry: Keyword.get(opts, :on_retry, fn _, _, _ -> :ok end),
      sleep: Keyword.get(opts, :sleep, &Process.sleep/1)
    }

    attempt(fun, 1, settings)
  end

  defp attempt(fun, n, s) do
    case fun.() do
      {:error, %Error{} = error} = failure ->
        if n < s.max and s.retry_if.(error) do
          delay = calculate_delay(error, n, s.base, s.cap, s.jitter)
          s.on_retry.(error, n, delay)
          s.sleep.(delay)
          attempt(fun, n + 1, s)
        else
          failure
        end

      other ->
        other
    end
  end

  @doc """
  True for `:rate_limited` and `:server_error`: the errors that may pass by themselves.

      iex> Fivetrex.Retry.default_retry_predicate(%Fivetrex.Error{type: :server_error})
      true

      iex> Fivetrex.Retry.default_retry_predicate(%Fivetrex.Error{type: :unauthorized})
      false
  """
  @spec default_retry_predicate(Error.t()) :: boolean()
  def default_retry_predicate(%Error{type: type}), do: type in [:rate_limited, :server_error]

  @doc """
  The wait in ms before the attempt after `attempt` (1-based): a rate-limited error's
  `retry_after` when it has one, else `base_delay_ms * 2^(attempt - 1)`; capped at
  `max_delay_ms`; `jitter` adds a random 1..25 %.

      iex> Fivetrex.Retry.calculate_delay(Fivetrex.Error.server_error("busy", 503), 2, 500, 30_000, false)
      1000

      iex> Fivetrex.Retry.calculate_delay(Fivetrex.Error.rate_limited("slow", 20), 1, 500, 30_000, false)
      20000

      iex> Fivetrex.Retry.calculate_delay(Fivetrex.Error.rate_limited("slow", 120), 1, 500, 30_000, false)
      30000
  """
  @spec calculate_delay(Error.t(), pos_integer(), non_neg_integer(), non_neg_integer(), boolean()) ::
          non_neg_integer()
  def calculate_delay(%Error{type: :rate_limited, retry_after: s}, _attempt, _base, cap, jitter)
      when is_integer(s) and s > 0,
      do: jittered(min(s * 1000, cap), jitter)

  def calculate_delay(_error, attempt, base, cap, jitter) do
    # Bounded exponent: attempt numbers in the thousands must not build huge integers.
    exponent = min(max(attempt - 1, 0), 62)
    jittered(min(base * Integer.pow(2, exponent), cap), jitter)
  end

  defp jittered(delay, true), do: delay + :rand.uniform(max(div(delay, 4), 1))
  defp jittered(delay, _), do: delay
end
