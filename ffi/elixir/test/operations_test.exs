defmodule Fivetrex.OperationsTest do
  @moduledoc "Every API operation by operationId (Fivetrex.API.call/4, stream_operation/3) against the emulator."
  use Fivetrex.Case, async: true

  alias Fivetrex.API

  test "call fills and percent-encodes the path, sends query and body, returns the whole answer" do
    emu = Emulator.start(2)
    [g0, _] = Emulator.group_ids(emu)
    c = client(emu)

    assert {:ok, %{"code" => "Success", "data" => %{"id" => ^g0}}} =
             API.call(c, "group_details", %{groupId: g0})

    assert {:ok, %{"data" => %{"items" => [_], "next_cursor" => _}}} =
             API.call(c, "list_all_groups", limit: 1)

    assert {:ok, %{"data" => %{"name" => "by_op"}}} =
             API.call(c, "modify_group", %{groupId: g0}, body: %{name: "by_op"})

    assert {:error, %Fivetrex.Error{type: :not_found}} = API.call(c, "group_details", %{groupId: "a/b"})
    assert Emulator.count(emu, "GET", "/v1/groups/a%2Fb") == 1
    assert Emulator.count(emu, "PATCH", "/v1/groups/#{g0}") == 1
  end

  test "a destructive operation is sent only with a confirmation naming its target" do
    emu = Emulator.start(0)
    c = client(emu)
    {:ok, %{"data" => %{"id" => id}}} = API.call(c, "create_group", %{}, body: %{name: "doomed"})

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :confirmation_required}} =
             API.call(c, "delete_group", %{groupId: id})

    assert {:error, %Fivetrex.Error{reason: :confirmation_required}} =
             API.call(c, "delete_group", %{groupId: id}, confirm: "another")

    assert Emulator.count(emu, "DELETE", "/v1/groups/#{id}") == 0
    assert {:ok, _} = API.call(c, "delete_group", %{groupId: id}, confirm: id)
    assert Emulator.count(emu, "DELETE", "/v1/groups/#{id}") == 1
  end

  test "an unknown operation id is refused before anything is sent" do
    emu = Emulator.start(1)

    assert {:error, %Fivetrex.Error{type: :unknown, reason: :invalid_argument}} =
             API.call(client(emu), "no_such_operation")
  end

  test "stream_operation walks every page lazily" do
    emu = Emulator.start(7)
    ids = Emulator.group_ids(emu)
    stream = API.stream_operation(client(emu), "list_all_groups", limit: 3)
    assert Emulator.count(emu, "GET", "/v1/groups") == 0
    assert stream |> Enum.take(2) |> Enum.map(& &1["id"]) == Enum.take(ids, 2)
    assert Emulator.count(emu, "GET", "/v1/groups") == 1
    assert Enum.map(stream, & &1["id"]) == ids
    assert Emulator.count(emu, "GET", "/v1/groups") == 1 + 3

    error =
      assert_raise Fivetrex.Error, fn ->
        client(emu) |> API.stream_operation("group_details", groupId: "x") |> Enum.to_list()
      end

    assert error.reason == :invalid_argument
  end
end
