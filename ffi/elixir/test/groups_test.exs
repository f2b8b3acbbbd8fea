defmodule Fivetrex.GroupsTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.Groups
  alias Fivetrex.Models.Group

  test "list returns one page and the cursor to the next" do
    api = FakeAPI.start(25)
    c = client(api)
    assert {:ok, %{items: first, next_cursor: cursor}} = Groups.list(c, limit: 10)
    assert [%Group{id: "g0", name: "group 0", created_at: ~U[2024-01-02 03:04:05Z]} | _] = first
    assert length(first) == 10 and is_binary(cursor)
    assert {:ok, %{items: second, next_cursor: _}} = Groups.list(c, limit: 10, cursor: cursor)
    assert hd(second).id == "g10"

    assert {:ok, %{items: last, next_cursor: nil}} =
             Groups.list(c, limit: 10, cursor: Base.url_encode64("20"))

    assert Enum.map(last, & &1.id) == ~w(g20 g21 g22 g23 g24)
    assert FakeAPI.count(api, "GET /v1/groups") == 3
  end

  test "stream walks every page, lazily" do
    api = FakeAPI.start(25)
    c = client(api)
    stream = Groups.stream(c, limit: 10)
    assert FakeAPI.count(api, "GET /v1/groups") == 0
    assert stream |> Enum.take(3) |> Enum.map(& &1.id) == ~w(g0 g1 g2)
    assert FakeAPI.count(api, "GET /v1/groups") == 1
    ids = Enum.map(stream, & &1.id)
    assert ids == for(i <- 0..24, do: "g#{i}")
    assert FakeAPI.count(api, "GET /v1/groups") == 1 + 3
  end

  test "an unknown group is a :not_found error with the API's code" do
    api = FakeAPI.start(1)
    assert {:error, %Fivetrex.Error{} = e} = Groups.get(client(api), "missing")

    assert %{
             type: :not_found,
             status: 404,
             code: "NotFound_Group",
             api_message: "no group missing",
             retry_after: nil
           } = e

    assert e.message =~ "404"
    assert FakeAPI.count(api, "GET /v1/groups/missing") == 1
    assert {:error, %Fivetrex.Error{type: :invalid_argument}} = Groups.get(client(api), "")
  end

  test "a 429 is retried after its Retry-After and the call succeeds" do
    api = FakeAPI.start(1)

    FakeAPI.inject(api, "GET", "/v1/groups/g0", %{
      status: 429,
      code: "TooManyRequests",
      retry_after: "0",
      times: 2
    })

    assert {:ok, %Group{id: "g0"}} = Groups.get(client(api), "g0")
    assert FakeAPI.count(api, "GET /v1/groups/g0") == 3
  end

  test "a Retry-After over the cap comes back at once as :rate_limited" do
    api = FakeAPI.start(1)
    FakeAPI.inject(api, "GET", "/v1/groups/g0", %{status: 429, code: "TooManyRequests", retry_after: "3600"})
    {time, result} = :timer.tc(fn -> Groups.get(client(api, max_retry_after: 2_000), "g0") end)

    assert {:error,
            %Fivetrex.Error{type: :rate_limited, status: 429, retry_after: 3600, code: "TooManyRequests"}} =
             result

    assert time < 1_000_000
    assert FakeAPI.count(api, "GET /v1/groups/g0") == 1
  end

  test "server errors are retried, then reported as :server_error" do
    api = FakeAPI.start(1)
    FakeAPI.inject(api, "GET", "/v1/groups/g0", %{status: 503, times: 2})
    assert {:ok, _} = Groups.get(client(api, max_attempts: 3), "g0")
    FakeAPI.inject(api, "GET", "/v1/groups/g0", %{status: 500, times: 5})

    assert {:error, %Fivetrex.Error{type: :server_error, status: 500}} =
             Groups.get(client(api, max_attempts: 3), "g0")

    assert FakeAPI.count(api, "GET /v1/groups/g0") == 6
  end

  test "a failing page raises from the stream" do
    api = FakeAPI.start(5)
    FakeAPI.inject(api, "GET", "/v1/groups", %{status: 404, code: "NotFound"})
    assert_raise Fivetrex.Error, fn -> client(api) |> Groups.stream() |> Enum.to_list() end
  end

  test "create, update, get, delete" do
    api = FakeAPI.start()
    c = client(api)
    assert {:ok, %Group{id: id, name: "analytics"}} = Groups.create(c, %{name: "analytics"})
    assert {:ok, %Group{name: "renamed"}} = Groups.update(c, id, name: "renamed")
    assert {:ok, %Group{name: "renamed"}} = Groups.get(c, id)
    assert :ok = Groups.delete(c, id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Groups.get(c, id)
  end

  test "bad credentials and bad configuration" do
    api = FakeAPI.start(1)
    c = Fivetrex.client(api_key: "key", api_secret: "wrong", base_url: api.url)

    assert {:error, %Fivetrex.Error{type: :unauthorized, status: 401, code: "AuthFailed"} = e} =
             Groups.get(c, "g0")

    refute inspect(e) =~ "wrong"
    refute inspect(c) =~ "wrong"
    assert_raise ArgumentError, ~r/key/, fn -> Fivetrex.client(api_secret: "s") end

    assert_raise ArgumentError, fn ->
      Fivetrex.client(api_key: "k", api_secret: "s", base_url: "http://example.com")
    end
  end
end
