defmodule Fivetrex.GroupsTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.Groups
  alias Fivetrex.Models.Group

  test "list returns one page and the cursor to the next" do
    emu = Emulator.start(25)
    ids = Emulator.group_ids(emu)
    c = client(emu)
    assert {:ok, %{items: first, next_cursor: cursor}} = Groups.list(c, limit: 10)
    assert [%Group{name: name, created_at: %DateTime{}} | _] = first
    assert is_binary(name) and is_binary(cursor)
    assert {:ok, %{items: second}} = Groups.list(c, limit: 10, cursor: cursor)
    assert {:ok, %{items: last, next_cursor: nil}} = Groups.list(c, limit: 20, cursor: cursor)
    assert Enum.map(first ++ second, & &1.id) == Enum.take(ids, 20)
    assert Enum.map(last, & &1.id) == Enum.drop(ids, 10)
    assert Emulator.count(emu, "GET", "/v1/groups") == 3
  end

  test "stream walks every page, lazily" do
    emu = Emulator.start(25)
    ids = Emulator.group_ids(emu)
    stream = Groups.stream(client(emu), limit: 10)
    assert Emulator.count(emu, "GET", "/v1/groups") == 0
    assert stream |> Enum.take(3) |> Enum.map(& &1.id) == Enum.take(ids, 3)
    assert Emulator.count(emu, "GET", "/v1/groups") == 1
    assert Enum.map(stream, & &1.id) == ids
    assert length(ids) == 25
    assert Emulator.count(emu, "GET", "/v1/groups") == 1 + 3
  end

  test "an unknown group is a :not_found error with the API's code" do
    emu = Emulator.start(1)
    assert {:error, %Fivetrex.Error{} = e} = Groups.get(client(emu), "missing")
    assert %{type: :not_found, status: 404, code: "NotFound_Group", retry_after: nil} = e
    assert is_binary(e.api_message) and e.message =~ "404"
    assert Emulator.count(emu, "GET", "/v1/groups/missing") == 1
    assert {:error, %Fivetrex.Error{type: :invalid_argument}} = Groups.get(client(emu), "")
  end

  test "a 429 is retried after its Retry-After and the call succeeds" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)

    Emulator.fault(emu, %{
      method: "GET",
      path: "/v1/groups/#{g0}",
      kind: "status",
      status: 429,
      retry_after: "0",
      times: 2
    })

    assert {:ok, %Group{id: ^g0}} = Groups.get(client(emu), g0)
    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 3
  end

  test "a Retry-After over the cap comes back at once as :rate_limited" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)

    Emulator.fault(emu, %{
      method: "GET",
      path: "/v1/groups/#{g0}",
      kind: "status",
      status: 429,
      retry_after: "3600"
    })

    {time, result} = :timer.tc(fn -> Groups.get(client(emu, max_retry_after: 2_000), g0) end)
    assert {:error, %Fivetrex.Error{type: :rate_limited, status: 429, retry_after: 3600}} = result
    assert time < 1_000_000
    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 1
  end

  test "server errors are retried, then reported as :server_error" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)
    Emulator.fault(emu, %{method: "GET", path: "/v1/groups/#{g0}", kind: "status", status: 503, times: 2})
    assert {:ok, _} = Groups.get(client(emu, max_attempts: 3), g0)
    Emulator.fault(emu, %{method: "GET", path: "/v1/groups/#{g0}", kind: "html", status: 502, times: 5})

    assert {:error, %Fivetrex.Error{type: :server_error, status: 502}} =
             Groups.get(client(emu, max_attempts: 3), g0)

    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 6
  end

  test "a failing page raises from the stream" do
    emu = Emulator.start(5)
    Emulator.fault(emu, %{method: "GET", path: "/v1/groups", kind: "status", status: 403})
    assert_raise Fivetrex.Error, ~r/403/, fn -> client(emu) |> Groups.stream() |> Enum.to_list() end
  end

  test "create, update, get, delete" do
    emu = Emulator.start(0)
    c = client(emu)
    assert {:ok, %Group{id: id, name: "analytics"}} = Groups.create(c, %{name: "analytics"})
    assert {:ok, %Group{name: "renamed"}} = Groups.update(c, id, name: "renamed")
    assert {:ok, %Group{name: "renamed"}} = Groups.get(c, id)
    assert {:error, %Fivetrex.Error{type: :conflict, status: 409}} = Groups.create(c, name: "renamed")
    assert {:error, %Fivetrex.Error{type: :confirmation_required}} = Groups.delete(c, id)
    assert {:error, %Fivetrex.Error{type: :confirmation_required}} = Groups.delete(c, id, confirm: "another")
    assert {:ok, %Group{}} = Groups.get(c, id)
    assert :ok = Groups.delete(c, id, confirm: id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Groups.get(c, id)
    assert_raise ArgumentError, fn -> Groups.create(c, %{}) end
  end

  test "bad credentials and bad configuration" do
    emu = Emulator.start(1)
    c = Fivetrex.client(api_key: Emulator.key(), api_secret: "wrong-secret", base_url: emu.url)

    assert {:error, %Fivetrex.Error{type: :unauthorized, status: 401, code: "AuthFailed"} = e} =
             Groups.get(c, "any")

    refute inspect(e) =~ "wrong-secret"
    refute inspect(c) =~ "wrong-secret"
    assert_raise ArgumentError, ~r/key/, fn -> Fivetrex.client(api_secret: "s") end

    assert_raise ArgumentError, fn ->
      Fivetrex.client(api_key: "k", api_secret: "s", base_url: "http://example.com")
    end
  end

  test "raw requests and raw streams reach any path" do
    emu = Emulator.start(3)
    c = client(emu)

    assert {:ok, %{"code" => "Success", "data" => %{"items" => [_, _, _]}}} =
             Fivetrex.API.request(c, "GET", "/v1/groups")

    assert c |> Fivetrex.API.stream("/v1/groups", limit: 1) |> Enum.count() == 3
    assert Emulator.count(emu, "GET", "/v1/groups") == 1 + 3
  end
end
