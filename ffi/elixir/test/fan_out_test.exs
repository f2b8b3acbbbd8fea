defmodule Fivetrex.FanOutTest do
  use Fivetrex.Case, async: true

  alias Fivetrex.FanOut
  alias Fivetrex.Models.Connector

  test "connectors: details of many ids in input order, each with its own error" do
    emu = Emulator.start(1, 12)
    ids = Emulator.connection_ids(emu, hd(Emulator.group_ids(emu)))
    ids = List.insert_at(ids, 2, "missing")
    c = client(emu)
    assert {:ok, results} = FanOut.connectors(c, ids, workers: 4)
    assert Enum.map(results, &elem(&1, 0)) == ids

    for {id, result} <- results do
      if id == "missing" do
        assert {:error, %Fivetrex.Error{type: :not_found, status: 404, code: "NotFound_Connector"}} = result
      else
        assert {:ok, %Connector{id: ^id}} = result
      end
    end

    assert Enum.sum(for id <- ids, do: Emulator.count(emu, "GET", "/v1/connections/#{id}")) == 13
    assert_raise ArgumentError, fn -> FanOut.connectors(c, [1]) end
  end

  test "sync_and_wait: each connector's outcome" do
    emu = Emulator.start(1, 10)
    all = Emulator.connection_ids(emu, hd(Emulator.group_ids(emu)))
    Emulator.steer(emu, Enum.at(all, 1), %{sync_outcome: "failure"})
    ids = [Enum.at(all, 0), Enum.at(all, 1), Enum.at(all, 7), "missing"]
    c = client(emu)
    assert {:ok, results} = FanOut.sync_and_wait(c, ids, poll_interval: 20, timeout: 10_000, workers: 4)
    assert Enum.map(results, &elem(&1, 0)) == ids

    assert [
             {_, {:ok, %{outcome: :succeeded, at: %DateTime{}}}},
             {_, {:ok, %{outcome: :failed, tasks: [_ | _]}}},
             {_, {:ok, %{outcome: :paused}}},
             {"missing", {:error, %Fivetrex.Error{type: :not_found}}}
           ] = results

    assert Emulator.count(emu, "POST", "/v1/connections/#{Enum.at(all, 0)}/sync") == 1
  end
end
