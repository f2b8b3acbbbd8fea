defmodule Fivetrex.GroupsTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.Groups
  alias Fivetrex.Models.Group

  test "list returns one page and the cursor to the next" do
    emu = Emulator.start(25)
    ids = Emulator.group_ids(emu)
    c = client(emu)
    assert {:ok, %{items: first, next_cursor: cursor}} = Groups.list(c, limit: 10)
    assert [%Group{name: name, created_at: "20" <> _} | _] = first
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
    assert %{type: :not_found, reason: :not_found, status: 404, code: "NotFound_Group", retry_after: nil} = e
    # Fivetrex's message is the API's own; the library's description is in :detail.
    assert e.message =~ "missing" and not (e.message =~ "404") and e.detail =~ "404"
    assert Emulator.count(emu, "GET", "/v1/groups/missing") == 1
    assert_raise ArgumentError, fn -> Groups.get(client(emu), "") end
    # Ids are percent-encoded: one with a slash names one group, not another path.
    assert {:error, %Fivetrex.Error{type: :not_found}} = Groups.get(client(emu), "a/b c")
    assert Emulator.count(emu, "GET", "/v1/groups/a%2Fb%20c") == 1
  end

  test "one request per call by default: a 429 comes back at once, as Fivetrex does" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)

    Emulator.fault(emu, %{
      method: "GET",
      path: "/v1/groups/#{g0}",
      kind: "status",
      status: 429,
      retry_after: "7",
      times: 1
    })

    assert {:error, %Fivetrex.Error{type: :rate_limited, status: 429, retry_after: 7}} =
             Groups.get(client(emu), g0)

    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 1
    Emulator.fault(emu, %{method: "GET", path: "/v1/groups/#{g0}", kind: "status", status: 503, times: 1})
    assert {:error, %Fivetrex.Error{type: :server_error, status: 503}} = Groups.get(client(emu), g0)
    assert Emulator.count(emu, "GET", "/v1/groups/#{g0}") == 2
  end

  test "a Retry-After given as an HTTP-date becomes seconds" do
    emu = Emulator.start(1)
    [g0] = Emulator.group_ids(emu)
    date = DateTime.utc_now() |> DateTime.add(120, :second) |> Calendar.strftime("%a, %d %b %Y %H:%M:%S GMT")

    Emulator.fault(emu, %{
      method: "GET",
      path: "/v1/groups/#{g0}",
      kind: "status",
      status: 429,
      retry_after: date
    })

    assert {:error, %Fivetrex.Error{type: :rate_limited, retry_after: s}} = Groups.get(client(emu), g0)
    assert s in 100..121, "retry_after #{s} s for a date 120 s ahead"
  end

  test "with the library's own retries (max_attempts), a 429 is retried after its Retry-After" do
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

    assert {:ok, %Group{id: ^g0}} = Groups.get(client(emu, max_attempts: 5), g0)
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

    {time, result} = :timer.tc(fn -> Groups.get(client(emu, max_attempts: 5, max_retry_after: 2_000), g0) end)
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
    error = assert_raise Fivetrex.Error, fn -> client(emu) |> Groups.stream() |> Enum.to_list() end
    assert %{type: :unknown, reason: :forbidden, status: 403} = error
  end

  test "create, update, get, delete" do
    emu = Emulator.start(0)
    c = client(emu)
    assert {:ok, %Group{id: id, name: "analytics"}} = Groups.create(c, %{name: "analytics"})
    assert {:ok, %Group{name: "renamed"}} = Groups.update(c, id, name: "renamed")
    assert {:ok, %Group{name: "renamed"}} = Groups.get(c, id)

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :conflict, status: 409, code: code}} =
             Groups.create(c, name: "renamed")

    assert is_binary(code)

    assert {:error, %Fivetrex.Error{reason: :confirmation_required}} =
             Groups.delete(c, id, confirm: "another")

    assert Emulator.count(emu, "DELETE", "/v1/groups/#{id}") == 0
    assert {:ok, %Group{}} = Groups.get(c, id)
    assert :ok = Groups.delete(c, id, confirm: id)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Groups.get(c, id)
    assert {:ok, %Group{id: other}} = Groups.create(c, %{name: "second"})
    # Fivetrex's delete/2 sends at once.
    assert :ok = Groups.delete(c, other)
    assert {:error, %Fivetrex.Error{type: :not_found}} = Groups.delete(c, other)

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :invalid_request, status: 400}} =
             Groups.create(c, %{})
  end

  test "bad credentials and bad configuration" do
    emu = Emulator.start(1)
    c = Fivetrex.client(api_key: Emulator.key(), api_secret: "wrong-secret", base_url: emu.url <> "/v1")

    assert {:error, %Fivetrex.Error{type: :unauthorized, status: 401, code: "AuthFailed"} = e} =
             Groups.get(c, "any")

    refute inspect(e) =~ "wrong-secret"
    refute inspect(c) =~ "wrong-secret"
    assert_raise KeyError, ~r/api_key/, fn -> Fivetrex.client(api_secret: "s") end
    assert_raise KeyError, ~r/api_secret/, fn -> Fivetrex.client(api_key: "k") end

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
